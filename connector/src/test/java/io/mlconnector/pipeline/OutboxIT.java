package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.pipeline.Outbox.Batch;
import io.mlconnector.cluster.Leases;
import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The outbox's part of docs/guarantees.md, on H2 and PostgreSQL: a refused batch is cut in halves that leave in
 * row order; a quarantined row holds its record's later rows (taken out of batches not sent yet) until it is
 * replayed; a replay after the record changed cancels the row with its reversal; the byte budget; sequence
 * numbers taken at the first attempt, kept only while the outcome is unknown.
 */
class OutboxIT {
    private static final String ROUTE = "default";
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final long NO_BYTE_LIMIT = Long.MAX_VALUE;

    @TempDir
    Path dir;
    Database database;
    Outbox outbox;
    Leases.Lease lease;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private void open(String store) {
        database = store.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres();
        outbox = new Outbox(database, PipelineJson.mapper());
        lease = new Leases(database.jdbi(), "test", java.time.Duration.ofMinutes(5)).tryAcquire(Pusher.leaseName(ROUTE))
                .orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRefusedRowIsFoundByHalvesAndHoldsItsRecordsLaterRowsUntilReplayed(String store) {
        open(store);
        long first = row("clients", "1", +1, "{\"client_id\":1,\"city\":\"A\"}");
        row("clients", "2", +1, "{\"client_id\":2,\"city\":\"B\"}");
        long bad = row("clients", "3", +1, "{\"client_id\":3,\"city\":\"Refused\"}");
        row("clients", "4", +1, "{\"client_id\":4,\"city\":\"D\"}");
        long reversal = row("clients", "3", -1, "{\"client_id\":3,\"city\":\"Refused\"}"); // client 3 moves: held
        long moved = row("clients", "3", +1, "{\"client_id\":3,\"city\":\"C\"}");

        Batch all = outbox.formBatch(ROUTE, "clients", 4, NO_BYTE_LIMIT, NOW).orElseThrow();
        assertThat(all.rowCount()).isEqualTo(4);
        outbox.split(all, "400", NOW);
        List<Batch> heads = outbox.headOfEachTable(ROUTE);
        assertThat(heads).singleElement().satisfies(b -> assertThat(b.firstRowId()).isEqualTo(first));
        List<Integer> halves = database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT row_count FROM outbox_batch WHERE state = 'pending' ORDER BY first_row_id")
                .mapTo(Integer.class).list());
        assertThat(halves).containsExactly(2, 2);

        sendHead(); // rows 1 and 2 accepted
        Batch withBad = outbox.headOfEachTable(ROUTE).get(0);
        assertThat(withBad.firstRowId()).isEqualTo(bad);
        outbox.split(attempt(withBad), "400", NOW);
        Batch badAlone = outbox.headOfEachTable(ROUTE).get(0);
        assertThat(badAlone.rowCount()).isEqualTo(1);
        outbox.quarantine(attempt(badAlone), "400 city", NOW);
        sendHead(); // row 4

        assertThat(outbox.formBatch(ROUTE, "clients", 100, NO_BYTE_LIMIT, NOW)).as("client 3's later rows are held")
                .isEmpty();
        assertThat(outbox.unsentRowCount()).as("the quarantined row and the two held").isEqualTo(3);

        assertThat(outbox.replay(badAlone.batchId(), NOW)).isTrue();
        assertThat(rowIds()).as("the refused row's reversal went with it").doesNotContain(reversal);
        Batch rest = outbox.formBatch(ROUTE, "clients", 100, NO_BYTE_LIMIT, NOW).orElseThrow();
        assertThat(rest.firstRowId()).isEqualTo(moved);
        assertThat(rest.rowCount()).isEqualTo(1);
        assertThat(outbox.replay(badAlone.batchId(), NOW)).as("not quarantined any more").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aQuarantinedRowWhoseRecordDidNotChangeIsQueuedAgainFirst(String store) {
        open(store);
        long bad = row("clients", "3", +1, "{\"client_id\":3,\"city\":\"Refused\"}");
        Batch alone = outbox.formBatch(ROUTE, "clients", 1, NO_BYTE_LIMIT, NOW).orElseThrow();
        outbox.quarantine(attempt(alone), "400", NOW);
        row("clients", "4", +1, "{\"client_id\":4,\"city\":\"D\"}");
        outbox.formBatch(ROUTE, "clients", 100, NO_BYTE_LIMIT, NOW).orElseThrow();

        assertThat(outbox.replay(alone.batchId(), NOW)).isTrue();
        assertThat(outbox.headOfEachTable(ROUTE)).singleElement()
                .satisfies(b -> assertThat(b.firstRowId()).isEqualTo(bad));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aBatchStaysUnderItsByteBudget(String store) {
        open(store);
        String value = "{\"note\":\"" + "x".repeat(1_000) + "\"}";
        for (int i = 0; i < 10; i++) {
            row("invoices", String.valueOf(i), +1, value);
        }
        long perRow = value.length() + Outbox.ROW_OVERHEAD_BYTES;
        Batch batch = outbox.formBatch(ROUTE, "invoices", 10_000, 3 * perRow + 1, NOW).orElseThrow();
        assertThat(batch.rowCount()).isEqualTo(3);
        assertThat(outbox.formBatch(ROUTE, "invoices", 10_000, 1, NOW).orElseThrow().rowCount())
                .as("a single row larger than the budget still goes, alone").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aBatchKeepsItsSequenceNumberUntilItIsSent(String store) {
        open(store);
        row("invoices", "1", +1, "{\"invoice_id\":1}");
        Batch batch = outbox.formBatch(ROUTE, "invoices", 10, NO_BYTE_LIMIT, NOW).orElseThrow();
        Batch first = outbox.beginAttempt(batch, "a1", NOW, lease);
        assertThat(first.pushSeq()).isEqualTo(1L);
        outbox.outcomeUnknown(first, NOW, "timed out");
        Batch again = outbox.beginAttempt(outbox.headOfEachTable(ROUTE).get(0), "a2", NOW, lease);
        assertThat(again.pushSeq()).as("an unknown outcome keeps its number").isEqualTo(1L);
        outbox.retryLater(again, NOW, "429");
        // Attempt a2 wrote nothing, but a1 may still be applied late: a new number would let the service take both.
        assertThat(outbox.headOfEachTable(ROUTE).get(0).pushSeq()).as("a 429 after an unknown outcome").isEqualTo(1L);
        assertThat(outbox.beginAttempt(outbox.headOfEachTable(ROUTE).get(0), "a3", NOW, lease).pushSeq()).isEqualTo(1L);

        outbox.raiseSequenceNumber(ROUTE, "invoices", 40);
        row("invoices", "2", +1, "{\"invoice_id\":2}");
        outbox.markSent(outbox.headOfEachTable(ROUTE).get(0), NOW);
        Batch next = outbox.formBatch(ROUTE, "invoices", 10, NO_BYTE_LIMIT, NOW).orElseThrow();
        assertThat(outbox.beginAttempt(next, "a4", NOW, lease).pushSeq()).as("above what the service has seen").isEqualTo(41L);
        assertThat(outbox.rowsInTables(ROUTE)).containsEntry("invoices", 1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void webhookRowsGoFirstAndTenantsTakeTurnsWhileARecordsRowsKeepTheirOrder(String store) {
        open(store);
        List<Long> backfillA = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            backfillA.add(row("clients", "a", String.valueOf(i), +1, "{\"n\":" + i + "}", "sweep:backfill"));
        }
        long backfillB = row("clients", "b", "1", +1, "{\"n\":1}", "sweep:backfill");
        long earlierOfLive = row("clients", "a", "9", +1, "{\"v\":1}", "sweep:backfill");
        long reversal = row("clients", "a", "9", -1, "{\"v\":1}", "inbox:7-7");
        long live = row("clients", "a", "9", +1, "{\"v\":2}", "inbox:7-7");
        long liveC = row("clients", "c", "5", +1, "{\"v\":1}", "inbox:8-8");

        Batch first = outbox.formBatch(ROUTE, "clients", 6, NO_BYTE_LIMIT, NOW).orElseThrow();
        assertThat(rowsOfBatch(first)).as("webhook rows first, each with its record's earlier row; then tenants in turn")
                .containsExactlyInAnyOrder(earlierOfLive, reversal, live, liveC, backfillA.get(0), backfillB);
        assertThat(first.firstRowId()).isEqualTo(backfillA.get(0));
        outbox.markSent(attempt(first), NOW);

        Batch second = outbox.formBatch(ROUTE, "clients", 6, NO_BYTE_LIMIT, NOW).orElseThrow();
        assertThat(rowsOfBatch(second)).containsExactlyElementsOf(backfillA.subList(1, 6));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aResultIsWrittenOnlyForItsOwnAttempt(String store) {
        open(store);
        row("invoices", "1", +1, "{\"n\":1}");
        Batch stale = attempt(outbox.formBatch(ROUTE, "invoices", 10, NO_BYTE_LIMIT, NOW).orElseThrow());
        // A new owner took the route over, found the batch posting and sent it again under its own attempt.
        Batch current = outbox.beginAttempt(outbox.headOfEachTable(ROUTE).get(0), "new-owner", NOW, lease);

        outbox.retryLater(stale, NOW, "429 seen by the old owner");
        outbox.markSent(stale, NOW);
        assertThat(outbox.headOfEachTable(ROUTE)).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo("posting"))
                .satisfies(b -> assertThat(b.pushSeq()).isEqualTo(current.pushSeq()));

        outbox.markSent(current, NOW);
        assertThat(outbox.headOfEachTable(ROUTE)).isEmpty();
        assertThat(outbox.rowsInTables(ROUTE)).containsEntry("invoices", 1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anInstanceThatLostTheRouteCannotBeginAnAttempt(String store) {
        open(store);
        row("invoices", "1", +1, "{\"n\":1}");
        Batch batch = outbox.formBatch(ROUTE, "invoices", 10, NO_BYTE_LIMIT, NOW).orElseThrow();
        database.jdbi().useHandle(h -> h.execute("UPDATE lease SET token = token + 1, owner = 'other'"));

        assertThatThrownBy(() -> outbox.beginAttempt(batch, "a1", NOW, lease))
                .isInstanceOf(Leases.LeaseLostException.class);
        assertThat(outbox.headOfEachTable(ROUTE)).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo("pending"));
    }

    private List<Long> rowsOfBatch(Batch batch) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM outbox_row WHERE batch_id = :b ORDER BY id")
                .bind("b", batch.batchId()).mapTo(Long.class).list());
    }

    private void sendHead() {
        Batch head = attempt(outbox.headOfEachTable(ROUTE).get(0));
        outbox.markSent(head, NOW);
    }

    /** Issue 11: unsent rows by table and state; the parts add up to the unsent count. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void waitingRowsAreSplitByTableAndStateAndAddUpToTheUnsentCount(String store) {
        open(store);
        row("clients", "1", +1, "{\"client_id\":1}");
        row("clients", "2", +1, "{\"client_id\":2}");
        row("invoices", "3", +1, "{\"invoice_id\":3}");
        Batch alone = outbox.formBatch(ROUTE, "clients", 1, NO_BYTE_LIMIT, NOW).orElseThrow();
        outbox.quarantine(attempt(alone), "400", NOW);

        List<Outbox.WaitingRows> waiting = outbox.waitingRows(NOW);

        assertThat(waiting).extracting(Outbox.WaitingRows::table, Outbox.WaitingRows::state, Outbox.WaitingRows::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("clients", "quarantined", 1L),
                        org.assertj.core.groups.Tuple.tuple("clients", "unbatched", 1L),
                        org.assertj.core.groups.Tuple.tuple("invoices", "unbatched", 1L));
        assertThat(waiting).allMatch(w -> NOW.equals(w.oldest()) && !w.backingOff());
        assertThat(waiting.stream().mapToLong(Outbox.WaitingRows::count).sum()).isEqualTo(outbox.unsentRowCount());
    }

    private Batch attempt(Batch batch) {
        return outbox.beginAttempt(batch, "attempt-" + batch.batchId(), NOW, lease);
    }

    private long row(String table, String id, int sign, String values) {
        return row(table, "t1", id, sign, values, "test");
    }

    private long row(String table, String tenant, String id, int sign, String values, String cause) {
        return database.jdbi().withHandle(h -> h.createUpdate("""
                        INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key, sign,
                                                values_json, cause, created_at, priority)
                        VALUES (:route, :table, :tenant, :type, :id, 'row', :sign, :values, :cause, :now, :priority)""")
                .bind("route", ROUTE).bind("table", table).bind("tenant", tenant).bind("type", table).bind("id", id)
                .bind("sign", sign).bind("values", values).bind("cause", cause).bind("now", NOW)
                .bind("priority", Outbox.priorityOf(cause))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    private List<Long> rowIds() {
        return new ArrayList<>(database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM outbox_row ORDER BY id")
                .mapTo(Long.class).list()));
    }
}
