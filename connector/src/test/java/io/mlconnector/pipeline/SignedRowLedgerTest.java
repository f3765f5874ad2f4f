package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ledger with its staleness rule, through {@link RecordApplier} on an in-memory H2: issue 8's three
 * ways of losing a change (a: DST fall-back, b: a 404's clock version, c: equal seconds applied in the
 * wrong order) as known answers, and DESIGN §3's "same version again pushes nothing".
 */
class SignedRowLedgerTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String TENANT = "ACM123";

    Database database;
    RecordApplier applier;
    FetchStamps stamps;
    LedgerView view;

    @BeforeEach
    void open() {
        // In memory, kept while the pool holds a connection, gone with close().
        database = Database.open(new ConnectorConfig.Store(
                "jdbc:h2:mem:ledger-" + DATABASES.incrementAndGet(), "sa", "", 2));
        // Our clock is years after FreshBooks' times, as a 404 once used it for a version.
        applier = new RecordApplier(database.jdbi(), MapperRegistry.standard(), new SignedRowLedger(PipelineJson.mapper()),
                PipelineJson.mapper(), Clock.fixed(Instant.parse("2026-03-02T15:00:00Z"), ZoneOffset.UTC));
        stamps = new FetchStamps(database.jdbi(), database.dialect());
        view = new LedgerView(database.jdbi());
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static ObjectNode payment(String amount, String updated, int visState) {
        ObjectNode p = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.PAYMENT);
        p.set("amount", FreshBooksFixtures.json("{\"amount\":\"" + amount + "\",\"code\":\"USD\"}"));
        p.put("updated", updated);
        p.put("vis_state", visState);
        return p;
    }

    private static ObjectNode invoice(String amount, String updated, String version) {
        ObjectNode i = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.INVOICE);
        i.set("amount", FreshBooksFixtures.json("{\"amount\":\"" + amount + "\",\"code\":\"CAD\"}"));
        i.put("updated", updated);
        i.put("version", version);
        return i;
    }

    private static final RecordKey PAYMENT = new RecordKey(TENANT, "payment", "10318");
    private static final RecordKey INVOICE = new RecordKey(TENANT, "invoice", "987654");

    private SignedRowLedger.Applied apply(RecordKey key, FetchedRecord read) {
        return applier.apply(key, "default", read, "test", RecordApplier.InTransaction.NOTHING);
    }

    private void assertLedgerAndOutboxHold(RecordKey key, ObjectNode state) {
        Set<String> expected = view.expectedRows(key, state);
        assertThat(view.ledgerRows(key)).isEqualTo(expected);
        Map<String, Long> ones = new HashMap<>();
        expected.forEach(r -> ones.put(r, 1L));
        assertThat(view.outboxNet(TENANT)).isEqualTo(ones);
    }

    // (a) 01:59 EDT, then 01:10 EST: the later edit has the earlier wall time.
    @Test
    void dstFallBackLaterEditWithEarlierWallTimeIsApplied() {
        ObjectNode first = payment("100.00", "2021-11-07 01:59:00", 0);
        ObjectNode second = payment("120.00", "2021-11-07 01:10:00", 0);
        apply(PAYMENT, FetchedRecord.found(first, stamps.next()));
        SignedRowLedger.Applied applied = apply(PAYMENT, FetchedRecord.found(second, stamps.next()));
        assertThat(applied).isEqualTo(new SignedRowLedger.Applied(4, false)); // −1 old, +1 new: payments and cash_movements
        assertLedgerAndOutboxHold(PAYMENT, second);
    }

    @Test
    void dstFallBackEarlierFetchAppliedLastIsStale() {
        long firstStamp = stamps.next();
        ObjectNode first = payment("100.00", "2021-11-07 01:59:00", 0);
        ObjectNode second = payment("120.00", "2021-11-07 01:10:00", 0);
        apply(PAYMENT, FetchedRecord.found(second, stamps.next()));
        assertThat(apply(PAYMENT, FetchedRecord.found(first, firstStamp))).isEqualTo(new SignedRowLedger.Applied(0, true));
        assertLedgerAndOutboxHold(PAYMENT, second);
    }

    // (b) A 404 stamped our clock (2026) as its version; the restored record (2021) was stale forever.
    @Test
    void aRecordRestoredAfterA404IsAppliedAgain() {
        ObjectNode before = payment("100.00", "2021-04-16 10:31:58", 0);
        apply(PAYMENT, FetchedRecord.found(before, stamps.next()));
        apply(PAYMENT, FetchedRecord.gone(stamps.next()));
        assertLedgerAndOutboxHold(PAYMENT, null);
        ObjectNode restored = payment("100.00", "2021-04-16 10:31:58", 0); // same FreshBooks time as before
        assertThat(apply(PAYMENT, FetchedRecord.found(restored, stamps.next())).stale()).isFalse();
        assertLedgerAndOutboxHold(PAYMENT, restored);
        Map<String, Object> entry = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT source_version_digits, fetch_seq FROM ledger_entry WHERE object_id = '10318'").mapToMap().one());
        assertThat(entry.get("source_version_digits")).isEqualTo(0);
    }

    @Test
    void aTombstoneIsStoredWithoutAVersion() {
        apply(PAYMENT, FetchedRecord.found(payment("100.00", "2021-04-16 10:31:58", 0), stamps.next()));
        long goneStamp = stamps.next();
        apply(PAYMENT, FetchedRecord.gone(goneStamp));
        Map<String, Object> entry = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT source_version, source_version_latest, source_version_digits, fetch_seq, deleted"
                        + " FROM ledger_entry WHERE object_id = '10318'").mapToMap().one());
        assertThat(entry.get("source_version")).isNull();
        assertThat(entry.get("source_version_latest")).isNull();
        assertThat(entry.get("source_version_digits")).isNull();
        assertThat(entry.get("fetch_seq")).isEqualTo(goneStamp);
        assertThat(entry.get("deleted")).isEqualTo(true);
    }

    // (c) One second, two edits: the sweep fetched first but applied last must not win.
    @Test
    void sameSecondTheLaterFetchWinsNotTheLaterApply() {
        long sweepStamp = stamps.next();
        ObjectNode sweepSaw = payment("100.00", "2021-04-16 10:31:58", 0);
        ObjectNode webhookSaw = payment("150.00", "2021-04-16 10:31:58", 0);
        apply(PAYMENT, FetchedRecord.found(webhookSaw, stamps.next()));
        assertThat(apply(PAYMENT, FetchedRecord.found(sweepSaw, sweepStamp)).stale()).isTrue();
        assertLedgerAndOutboxHold(PAYMENT, webhookSaw);
    }

    @Test
    void anInvoiceVersionOrdersTwoEditsOfOneSecondEvenAgainstFetchOrder() {
        ObjectNode later = invoice("50.00", "2021-04-16 10:31:58", "2021-04-16 10:31:58.900000");
        ObjectNode earlier = invoice("40.00", "2021-04-16 10:31:58", "2021-04-16 10:31:58.100000");
        apply(INVOICE, FetchedRecord.found(later, stamps.next()));
        // Sent later, answered from an older replica or before the edit: FreshBooks' version says older.
        assertThat(apply(INVOICE, FetchedRecord.found(earlier, stamps.next())).stale()).isTrue();
        assertLedgerAndOutboxHold(INVOICE, later);
    }

    @Test
    void theSameVersionAgainPushesNothing() {
        ObjectNode v1 = invoice("50.00", "2021-04-16 10:31:58", "2021-04-16 10:31:58.480684");
        assertThat(apply(INVOICE, FetchedRecord.found(v1, stamps.next())).outboxRows()).isPositive();
        long before = view.outboxNet(TENANT).size();
        assertThat(apply(INVOICE, FetchedRecord.found(v1.deepCopy(), stamps.next())))
                .isEqualTo(new SignedRowLedger.Applied(0, false));
        assertThat(view.outboxNet(TENANT)).hasSize((int) before);
        assertLedgerAndOutboxHold(INVOICE, v1);
    }

    @Test
    void aDeleteReversesAndAnUndeleteFetchedLaterPushesAgain() {
        ObjectNode live = payment("100.00", "2021-04-16 10:31:58", 0);
        ObjectNode deleted = payment("100.00", "2021-04-16 10:31:58", 1); // same second as the edit before
        ObjectNode undeleted = payment("100.00", "2021-04-16 10:31:58", 0);
        apply(PAYMENT, FetchedRecord.found(live, stamps.next()));
        apply(PAYMENT, FetchedRecord.found(deleted, stamps.next()));
        assertLedgerAndOutboxHold(PAYMENT, null);
        apply(PAYMENT, FetchedRecord.found(undeleted, stamps.next()));
        assertLedgerAndOutboxHold(PAYMENT, undeleted);
    }

    @Test
    void fetchStampsIncreaseAcrossThreads() throws Exception {
        int threads = 4;
        int each = 200;
        List<Future<long[]>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    long[] taken = new long[each];
                    for (int i = 0; i < each; i++) {
                        taken[i] = stamps.next();
                    }
                    return taken;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (var result : results) {
                long[] taken = result.get();
                for (int i = 1; i < each; i++) {
                    assertThat(taken[i]).isGreaterThan(taken[i - 1]);
                }
                for (long v : taken) {
                    all.add(v);
                }
            }
            assertThat(all).hasSize(threads * each);
        } finally {
            pool.shutdown();
        }
    }
}
