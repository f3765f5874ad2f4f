package io.mlconnector.demo;

import io.mlconnector.config.ConnectorConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The PostgreSQL that {@code mlc demo --instances} shares between its connector processes: zonky's embedded server
 * (its binaries ship inside {@code mlc.jar}), with its data in a folder of the demo's, emptied at each start.
 */
public final class DemoPostgres implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    private DemoPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static DemoPostgres start(Path dataDir) {
        try {
            // zonky turns these off for speed by default; the connector refuses a server that acknowledges commits
            // it can lose (SqlDialect), and the cluster demo and the benchmarks must measure a durable store.
            return new DemoPostgres(EmbeddedPostgres.builder().setDataDirectory(dataDir.toAbsolutePath())
                    .setCleanDataDirectory(true).setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on")
                    .setServerConfig("full_page_writes", "on").start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Its {@code postgres} database, over TCP on loopback: what every instance's {@code store.*} keys point at. */
    public ConnectorConfig.Store store() {
        return new ConnectorConfig.Store(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", 8);
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
