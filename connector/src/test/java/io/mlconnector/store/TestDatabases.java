package io.mlconnector.store;

import io.mlconnector.config.ConnectorConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh databases for tests: an H2 file in a temp dir, or a new database in one shared embedded PostgreSQL. */
public final class TestDatabases {

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger databases = new AtomicInteger();

    private TestDatabases() {
    }

    public static ConnectorConfig.Store h2Config(Path dir) {
        return new ConnectorConfig.Store("jdbc:h2:file:" + dir.resolve("ml-connector").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 8);
    }

    public static Database h2(Path dir) {
        return Database.open(h2Config(dir));
    }

    /** A new, migrated PostgreSQL database (the server starts once per test JVM and stops with it). */
    public static Database postgres() {
        return Database.open(postgresConfig());
    }

    /** A new PostgreSQL database with nothing in it yet. */
    public static synchronized ConnectorConfig.Store postgresConfig() {
        try {
            String name = "mlc_test_" + databases.incrementAndGet();
            try (Connection c = server().getPostgresDatabase().getConnection()) {
                c.createStatement().execute("CREATE DATABASE " + name);
            }
            return new ConnectorConfig.Store(postgres.getJdbcUrl("postgres", name), "postgres", "", 8);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement as the server's superuser (e.g. {@code ALTER DATABASE ... SET ...}). */
    public static synchronized void asSuperuser(String sql) {
        try (Connection c = server().getPostgresDatabase().getConnection()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database name in a config from {@link #postgresConfig()}. */
    public static String databaseName(ConnectorConfig.Store config) {
        return config.jdbcUrl().replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
    }

    private static EmbeddedPostgres server() {
        try {
            if (postgres == null) {
                // zonky turns synchronous_commit off by default; the connector refuses such a server (SqlDialect)
                postgres = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        // the JVM is exiting anyway
                    }
                }));
            }
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
