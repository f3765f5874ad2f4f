package io.mlconnector.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Path;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;

/** The store: a pooled DataSource, migrated by Flyway, with Jdbi on top and the dialect seam beside it. */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final SqlDialect dialect;
    private final String jdbcUrl;
    /** For an H2 file opened by this process: keeps the file from growing under load. */
    private H2Compaction compaction;

    private Database(HikariDataSource dataSource, SqlDialect dialect, String jdbcUrl) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jdbcUrl = jdbcUrl;
        this.jdbi = Jdbi.create(dataSource);
        // Jdbi's default message appends bound arguments (tokens, ciphertexts, names, amounts); name the statement only.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::statementOnly);
    }

    private static String statementOnly(StatementException e) {
        StatementContext context = e.getStatementContext();
        String sql = context == null ? null : context.getRawSql();
        return sql == null ? "" : "[statement: \"" + (sql.length() > 200 ? sql.substring(0, 200) + "…" : sql) + "\"]";
    }

    /**
     * Connects, runs the migrations in {@code classpath:db/migration} (portable) and
     * {@code classpath:db/vendor/<dialect>} (tables whose published DDL differs per database, such as
     * db-scheduler's), and applies the dialect's settings.
     */
    public static Database open(ConnectorConfig.Store config) {
        SqlDialect dialect = SqlDialect.forJdbcUrl(config.jdbcUrl());
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("ml-connector-store");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.username());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            Flyway.configure().dataSource(dataSource)
                    .locations("classpath:db/migration", "classpath:db/vendor/" + dialect.name())
                    .load().migrate();
            Database database = new Database(dataSource, dialect, config.jdbcUrl());
            database.jdbi.useHandle(dialect::prepare);
            if (IntakeJournal.directoryFor(config.jdbcUrl()).isPresent()) { // an embedded H2 file
                database.compaction = H2Compaction.start(dataSource);
            }
            return database;
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** Where {@link InboxWriter} journals webhook events before the 2xx (an H2 file store only). */
    Optional<Path> intakeJournalDirectory() {
        return IntakeJournal.directoryFor(jdbcUrl);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs the work in one transaction, commits, and returns only once the commit is on disk. */
    public <T> T inDurableTransaction(HandleCallback<T, RuntimeException> work) {
        return jdbi.withHandle(handle -> {
            T result = handle.inTransaction(work);
            dialect.forceToDisk(handle);
            return result;
        });
    }

    /**
     * As {@link #inDurableTransaction}, reading one consistent snapshot of every table: rows other transactions
     * commit meanwhile are neither seen nor touched.
     */
    public <T> T inDurableSnapshotTransaction(HandleCallback<T, RuntimeException> work) {
        return jdbi.withHandle(handle -> {
            dialect.snapshotTransactions(handle, true);
            try {
                T result = handle.inTransaction(work);
                dialect.forceToDisk(handle);
                return result;
            } finally {
                dialect.snapshotTransactions(handle, false);
            }
        });
    }

    /**
     * Whether {@code e} is the store refusing a transaction because a concurrent one touched the same rows (a
     * serialization failure or a deadlock, SQLState 40001 or 40P01): nothing was written, and the same work simply
     * runs again. Expected now and then, e.g. a dimension table marked dirty while a rebuild marks it reloaded.
     */
    public static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && ("40001".equals(sql.getSQLState())
                    || "40P01".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (compaction != null) {
            compaction.close();
        }
        dataSource.close();
    }
}
