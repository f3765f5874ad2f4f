package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.store.Database;
import io.mlconnector.store.SqlDialect;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ledger's fetch order on H2 files and PostgreSQL: V6 on a store that already has ledger rows, fetch
 * stamps that keep increasing across a restart and between two instances sharing one database.
 */
class LedgerFetchOrderIT {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T15:00:00Z"), ZoneOffset.UTC);
    private static final RecordKey PAYMENT = new RecordKey("ACM123", "payment", "10318");

    @TempDir
    Path dir;
    Database database;
    Database other;

    @AfterEach
    void close() {
        for (Database d : new Database[] {other, database}) {
            if (d != null) {
                d.close();
            }
        }
    }

    private ConnectorConfig.Store config(String store) {
        return store.equals("h2") ? TestDatabases.h2Config(dir) : TestDatabases.postgresConfig();
    }

    private static RecordApplier applier(Database db) {
        return new RecordApplier(db.jdbi(), MapperRegistry.standard(), new SignedRowLedger(PipelineJson.mapper()),
                PipelineJson.mapper(), CLOCK);
    }

    private static ObjectNode payment(String amount, String updated) {
        ObjectNode p = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.PAYMENT);
        p.set("amount", FreshBooksFixtures.json("{\"amount\":\"" + amount + "\",\"code\":\"USD\"}"));
        p.put("updated", updated);
        return p;
    }

    /** Issue 8 (b) on data written before V6: a 404 stored our clock as its version; the record came back. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aTombstoneWrittenBeforeV6DoesNotBlockTheRestoredRecord(String store) {
        ConnectorConfig.Store config = config(store);
        Flyway.configure().dataSource(config.jdbcUrl(), config.username(), config.password())
                .locations("classpath:db/migration", "classpath:db/vendor/" + SqlDialect.forJdbcUrl(config.jdbcUrl()).name())
                .target("5").load().migrate();
        // A row as the release before V6 wrote it, without going through Database.open (which migrates).
        Jdbi.create(config.jdbcUrl(), config.username(), config.password()).useHandle(h -> h.execute("INSERT INTO ledger_entry (tenant_id, object_type, object_id, source_version,"
                    + " deleted, rows_json, updated_at) VALUES ('ACM123', 'payment', '10318',"
                    + " TIMESTAMP WITH TIME ZONE '2026-03-01 12:00:00+00', TRUE, '[]',"
                    + " TIMESTAMP WITH TIME ZONE '2026-03-01 12:00:00+00')"));
        database = Database.open(config); // migrates V6
        FetchStamps stamps = new FetchStamps(database.jdbi(), database.dialect());
        ObjectNode restored = payment("180.00", "2019-04-24 14:22:18");

        SignedRowLedger.Applied applied = applier(database).apply(PAYMENT, "default",
                FetchedRecord.found(restored, stamps.next()), "test", RecordApplier.InTransaction.NOTHING);

        assertThat(applied).isEqualTo(new SignedRowLedger.Applied(2, false)); // its payments and cash_movements rows
        LedgerView view = new LedgerView(database.jdbi());
        Set<String> expected = view.expectedRows(PAYMENT, restored);
        assertThat(expected).hasSize(2);
        assertThat(view.ledgerRows(PAYMENT)).isEqualTo(expected);
        Map<String, Long> once = new HashMap<>();
        expected.forEach(row -> once.put(row, 1L));
        assertThat(view.outboxNet("ACM123")).isEqualTo(once);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void fetchStampsKeepIncreasingAcrossARestartAndBetweenInstances(String store) {
        ConnectorConfig.Store config = config(store);
        database = Database.open(config);
        long beforeRestart = new FetchStamps(database.jdbi(), database.dialect()).next();
        database.close();
        database = Database.open(config);
        FetchStamps first = new FetchStamps(database.jdbi(), database.dialect());
        long afterRestart = first.next();
        assertThat(afterRestart).isGreaterThan(beforeRestart);
        if (store.equals("h2")) {
            return; // an H2 file has one process at a time
        }
        other = Database.open(config);
        FetchStamps second = new FetchStamps(other.jdbi(), other.dialect());
        long last = afterRestart;
        for (int i = 0; i < 50; i++) {
            long next = (i % 2 == 0 ? second : first).next();
            assertThat(next).isGreaterThan(last);
            last = next;
        }
    }

    /** Two instances apply reads of one record in the wrong order; the one fetched later stays. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql"})
    void theLaterFetchWinsWhicheverInstanceAppliesLast(String store) {
        ConnectorConfig.Store config = config(store);
        database = Database.open(config);
        other = Database.open(config);
        FetchStamps stampsA = new FetchStamps(database.jdbi(), database.dialect());
        FetchStamps stampsB = new FetchStamps(other.jdbi(), other.dialect());
        long sweepOnA = stampsA.next();
        long webhookOnB = stampsB.next();
        ObjectNode sweepSaw = payment("100.00", "2021-04-16 10:31:58");
        ObjectNode webhookSaw = payment("150.00", "2021-04-16 10:31:58");

        applier(other).apply(PAYMENT, "default", FetchedRecord.found(webhookSaw, webhookOnB), "webhook",
                RecordApplier.InTransaction.NOTHING);
        SignedRowLedger.Applied late = applier(database).apply(PAYMENT, "default", FetchedRecord.found(sweepSaw, sweepOnA),
                "sweep", RecordApplier.InTransaction.NOTHING);
        applier(database).apply(PAYMENT, "default", FetchedRecord.gone(stampsA.next()), "webhook",
                RecordApplier.InTransaction.NOTHING);

        assertThat(late.stale()).isTrue();
        LedgerView view = new LedgerView(database.jdbi());
        assertThat(view.ledgerRows(PAYMENT)).isEmpty();
        Map<String, Long> none = new HashMap<>();
        assertThat(view.outboxNet("ACM123")).isEqualTo(none);
        long outboxRows = database.jdbi().withHandle(
                h -> h.createQuery("SELECT COUNT(*) FROM outbox_row").mapTo(Long.class).one());
        assertThat(outboxRows).as("+1 webhook's values, −1 on the 404 (payments and cash_movements each); nothing from"
                + " the stale sweep").isEqualTo(4L);
    }
}
