package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two first reads of one record at once (a webhook's fetch and a backfill's listing, FreshCloneIT saw it): neither
 * finds a ledger entry to lock, both insert one. The loser's transaction fails on the key and applies again against
 * the winner's entry, instead of failing (which stopped the whole backfill).
 */
class FirstReadRaceIT {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T15:00:00Z"), ZoneOffset.UTC);
    private static final RecordKey PAYMENT = new RecordKey("ACM123", "payment", "10318");

    private Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void theSecondFirstReadAppliesAgainstTheFirstsEntry() throws Exception {
        database = Database.open(TestDatabases.postgresConfig()); // row locks as in production; H2 has one writer per file
        RecordApplier applier = new RecordApplier(database.jdbi(), MapperRegistry.standard(),
                new SignedRowLedger(PipelineJson.mapper()), PipelineJson.mapper(), CLOCK);
        FetchStamps stamps = new FetchStamps(database.jdbi(), database.dialect());
        long webhookStamp = stamps.next();
        long backfillStamp = stamps.next();
        CountDownLatch webhookInserted = new CountDownLatch(1);

        // The webhook's transaction inserts the entry, then stays open until the backfill's insert waits on it.
        CompletableFuture<SignedRowLedger.Applied> webhook = CompletableFuture.supplyAsync(() -> applier.apply(PAYMENT,
                "default", FetchedRecord.found(payment("100.00"), webhookStamp), "webhook", (h, now) -> {
                    webhookInserted.countDown();
                    await("the backfill's insert waiting on the webhook's").atMost(Duration.ofSeconds(30))
                            .until(() -> insertsWaitingOnALock() > 0);
                }));
        assertThat(webhookInserted.await(30, TimeUnit.SECONDS)).isTrue();
        SignedRowLedger.Applied backfill = applier.apply(PAYMENT, "default",
                FetchedRecord.found(payment("180.00"), backfillStamp), "sweep:payment:all", RecordApplier.InTransaction.NOTHING);

        assertThat(webhook.get(30, TimeUnit.SECONDS).outboxRows()).isEqualTo(2); // payments + cash_movements, +1 each
        assertThat(backfill.outboxRows()).isEqualTo(4); // their reversals and the new rows, applied after the webhook's
        LedgerView view = new LedgerView(database.jdbi());
        Map<String, Long> net = view.outboxNet("ACM123");
        assertThat(net.keySet()).isEqualTo(view.expectedRows(PAYMENT, payment("180.00"))); // the later read, once
        assertThat(net.values()).containsOnly(1L);
    }

    private long insertsWaitingOnALock() {
        try (var handle = database.jdbi().open()) {
            return handle.createQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO ledger_entry%'").mapTo(Long.class).one();
        }
    }

    private static ObjectNode payment(String amount) {
        ObjectNode p = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.PAYMENT);
        p.set("amount", FreshBooksFixtures.json("{\"amount\":\"" + amount + "\",\"code\":\"USD\"}"));
        p.put("updated", "2021-04-16 10:31:58");
        return p;
    }
}
