package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.config.ConfigException;
import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store refuses what would lose or garble its data at start (DESIGN §5): a keyset that is not the store's
 * (new, other, or missing), and a PostgreSQL that acknowledges commits it can lose. A first start and a normal
 * restart go through. On H2 and PostgreSQL.
 */
class SafeFirstStartIT {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private ConnectorConfig.Store store(String kind) {
        return kind.equals("h2") ? TestDatabases.h2Config(dir) : TestDatabases.postgresConfig();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void firstStartCreatesTheKeysetAndARestartUsesIt(String kind) {
        ConnectorConfig.Store config = store(kind);
        Path keyset = dir.resolve("data/keyset.json");
        String ciphertext;
        try (Database database = Database.open(config)) {
            SecretBox box = StoreKeyset.open(database, keyset, CLOCK);
            assertThat(keyset).exists();
            assertThat(checkValue(database)).isNotBlank();
            ciphertext = box.encrypt("token", "ctx");
        }
        String created = readString(keyset);

        try (Database database = Database.open(config)) {
            SecretBox box = StoreKeyset.open(database, keyset, CLOCK);
            assertThat(box.decrypt(ciphertext, "ctx")).isEqualTo("token");
        }
        assertThat(readString(keyset)).isEqualTo(created);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anotherKeysetIsRefusedWithOneLineNamingTheFile(String kind) {
        ConnectorConfig.Store config = store(kind);
        try (Database database = Database.open(config)) {
            StoreKeyset.open(database, dir.resolve("first/keyset.json"), CLOCK);
        }
        Path fresh = dir.resolve("second-host/keyset.json"); // an empty data folder: a new keyset would be made

        try (Database database = Database.open(config)) {
            assertRefused(() -> StoreKeyset.open(database, fresh, CLOCK), fresh, "the file is missing");
            assertThat(fresh).doesNotExist();
            SecretBox.open(dir.resolve("other.json")); // an existing keyset, but not the store's
            assertRefused(() -> StoreKeyset.open(database, dir.resolve("other.json"), CLOCK), dir.resolve("other.json"),
                    "cannot decrypt");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aMissingKeysetIsRefusedOnceTheStoreHasOne(String kind) throws Exception {
        ConnectorConfig.Store config = store(kind);
        Path keyset = dir.resolve("keyset.json");
        try (Database database = Database.open(config)) {
            StoreKeyset.open(database, keyset, CLOCK);
        }
        Files.delete(keyset);

        try (Database database = Database.open(config)) {
            assertRefused(() -> StoreKeyset.open(database, keyset, CLOCK), keyset, "the file is missing");
        }
        assertThat(keyset).doesNotExist(); // no new keyset was made in its place
    }

    /** A store written before key checks existed: its secrets decide which keyset is its own. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aStoreWithSecretsButNoCheckValueIsProvedOnItsSecrets(String kind) throws Exception {
        ConnectorConfig.Store config = store(kind);
        Path keyset = dir.resolve("keyset.json");
        try (Database database = Database.open(config)) {
            OAuthGrantRepository grants = new OAuthGrantRepository(database, SecretBox.open(keyset), CLOCK);
            grants.connect(OAuthGrant.forIdentity(7), 7, new TokenGrant("a", "r", CLOCK.instant(), null), List.of());
            int checkValues = database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM store_meta")
                    .mapTo(Integer.class).one());
            assertThat(checkValues).isZero();

            Path other = dir.resolve("other.json");
            SecretBox.open(other);
            assertRefused(() -> StoreKeyset.open(database, other, CLOCK), other, "cannot decrypt");
            Files.move(keyset, dir.resolve("moved.json"));
            assertRefused(() -> StoreKeyset.open(database, keyset, CLOCK), keyset, "the file is missing");
            Files.move(dir.resolve("moved.json"), keyset);

            StoreKeyset.open(database, keyset, CLOCK);
            assertThat(SecretBox.open(keyset).decrypt(checkValue(database), StoreKeyset.CHECK_CONTEXT)).isNotBlank();
        }
    }

    /** Two hosts with empty data folders start at once on an empty store: one keyset wins, the other is refused. */
    @Test
    void twoFirstStartsAtOnceLeaveOneKeyset() throws Exception {
        ConnectorConfig.Store config = TestDatabases.postgresConfig();
        try (Database a = Database.open(config); Database b = Database.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SecretBox>> starts = new ArrayList<>();
            for (Database database : List.of(a, b)) {
                Path keyset = dir.resolve("host-" + starts.size() + "/keyset.json");
                starts.add(pool.submit(() -> {
                    go.await();
                    return StoreKeyset.open(database, keyset, CLOCK);
                }));
            }
            go.countDown();
            int started = 0;
            int refused = 0;
            for (Future<SecretBox> start : starts) {
                try {
                    start.get(30, TimeUnit.SECONDS);
                    started++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ConfigException.class).hasMessageContaining("cannot decrypt");
                    refused++;
                }
            }
            pool.shutdown();
            assertThat(started).isEqualTo(1);
            assertThat(refused).isEqualTo(1);
        }
    }

    @Test
    void postgresWithSynchronousCommitOffIsRefused() {
        ConnectorConfig.Store config = TestDatabases.postgresConfig();
        String name = TestDatabases.databaseName(config);
        TestDatabases.asSuperuser("ALTER DATABASE " + name + " SET synchronous_commit = off");

        assertThatThrownBy(() -> Database.open(config)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("store.jdbc-url: PostgreSQL runs with synchronous_commit = off")
                .hasMessageContaining("ALTER DATABASE " + name + " SET synchronous_commit = on")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        // 'local' still flushes this server's WAL before COMMIT returns: accepted.
        TestDatabases.asSuperuser("ALTER DATABASE " + name + " SET synchronous_commit = local");
        try (Database database = Database.open(config)) {
            String setting = database.jdbi().withHandle(h -> h.createQuery("SHOW synchronous_commit").mapTo(String.class).one());
            assertThat(setting).isEqualTo("local");
        }
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable start, Path keyset, String why) {
        assertThatThrownBy(start).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("secrets.keyset-path " + keyset.toAbsolutePath() + ": ")
                .hasMessageContaining(why)
                .hasMessageContaining("copy the keyset file the other instances use (or restore it from backup)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static String checkValue(Database database) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT meta_value FROM store_meta WHERE meta_key = 'keyset_check'")
                .mapTo(String.class).one());
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
