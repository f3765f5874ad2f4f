package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.store.Database;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retention on H2 and PostgreSQL: old processed and sent things go, everything else stays. */
class RetentionTaskIT {
    private static final Instant NOW = Instant.parse("2026-03-20T12:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(NOW);
    Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private Database open(String store) {
        database = store.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres();
        return database;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void deletesOnlyOldProcessedEventsAndOldSentBatches(String store) {
        open(store);
        long oldProcessed1 = inbox(NOW.minus(DAY.multipliedBy(9)), NOW.minus(DAY.multipliedBy(8)));
        long oldProcessed2 = inbox(NOW.minus(DAY.multipliedBy(9)), NOW.minus(DAY.multipliedBy(8)));
        long oldProcessed3 = inbox(NOW.minus(DAY.multipliedBy(30)), NOW.minus(DAY.multipliedBy(29)));
        long recentProcessed = inbox(NOW.minus(DAY.multipliedBy(2)), NOW.minus(DAY));
        long unprocessed = inbox(NOW.minus(DAY.multipliedBy(30)), null); // stuck a month: never deleted
        batch("old-sent-a", "invoice_line", "sent", NOW.minus(DAY.multipliedBy(8)), 3);
        batch("old-sent-b", "invoice_line", "sent", NOW.minus(DAY.multipliedBy(10)), 1);
        batch("old-sent-c", "payment", "sent", NOW.minus(DAY.multipliedBy(8)), 2);
        batch("recent-sent", "invoice_line", "sent", NOW.minus(DAY.multipliedBy(6)), 2);
        batch("old-pending", "invoice_line", "pending", null, 2);
        batch("old-quarantined", "payment", "quarantined", null, 2);
        row(null, "invoice_line"); // not in a batch yet
        jdbi("INSERT INTO ledger_entry (tenant_id, object_type, object_id, deleted, rows_json, updated_at)"
                + " VALUES ('t1', 'invoice', '1', FALSE, '[]', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");

        Outbox outbox = new Outbox(database, PipelineJson.mapper());
        InboxQueue inbox = new InboxQueue(database, Duration.ofSeconds(2), Duration.ofSeconds(20));
        long sentRows = outbox.sentRowCount();
        long unsentRows = outbox.unsentRowCount();
        long received = inbox.totalCount();

        // Chunks of 2 rows, so every delete repeats.
        RetentionTask retention = new RetentionTask(database.jdbi(), clock, Duration.ofDays(7), 2);
        RetentionTask.Result result = retention.run();

        assertThat(result).isEqualTo(new RetentionTask.Result(3, 6, 3));
        assertThat(ids("SELECT id FROM inbox")).containsExactlyInAnyOrder(recentProcessed, unprocessed)
                .doesNotContain(oldProcessed1, oldProcessed2, oldProcessed3);
        assertThat(strings("SELECT batch_id FROM outbox_batch"))
                .containsExactlyInAnyOrder("recent-sent", "old-pending", "old-quarantined");
        assertThat(strings("SELECT COALESCE(batch_id, '-') FROM outbox_row"))
                .containsExactlyInAnyOrder("recent-sent", "recent-sent", "old-pending", "old-pending",
                        "old-quarantined", "old-quarantined", "-");
        assertThat(count("SELECT COUNT(*) FROM ledger_entry")).isEqualTo(1);
        // Power BI still holds the deleted rows: the status counts stay (per-table counts live in push_table).
        assertThat(outbox.sentRowCount()).isEqualTo(sentRows);
        assertThat(outbox.unsentRowCount()).isEqualTo(unsentRows);
        assertThat(inbox.totalCount()).isEqualTo(received);
        assertThat(inbox.pendingCount()).isEqualTo(1);

        assertThat(retention.run()).as("nothing more is old enough").isEqualTo(new RetentionTask.Result(0, 0, 0));

        clock.advance(DAY.multipliedBy(7)); // the recent ones pass seven days too
        assertThat(retention.run()).isEqualTo(new RetentionTask.Result(1, 2, 1));
        assertThat(ids("SELECT id FROM inbox")).containsExactly(unprocessed);
        assertThat(strings("SELECT batch_id FROM outbox_batch")).containsExactlyInAnyOrder("old-pending", "old-quarantined");
        assertThat(count("SELECT COUNT(*) FROM outbox_row")).isEqualTo(5);
        assertThat(outbox.sentRowCount()).isEqualTo(sentRows);
        assertThat(inbox.totalCount()).isEqualTo(received);
    }

    @Test
    void theSweepSchedulerRunsItOncePerCluster() {
        open("h2");
        long old = inbox(NOW.minus(DAY.multipliedBy(9)), NOW.minus(DAY.multipliedBy(8)));
        long recent = inbox(NOW.minus(DAY.multipliedBy(2)), NOW.minus(DAY));
        TenantRepository tenants = new TenantRepository(database, clock); // no tenants: the sweep does nothing
        RetentionTask retention = new RetentionTask(database.jdbi(), clock, Duration.ofDays(7));
        try (SweepScheduler one = new SweepScheduler(database.dataSource(), null, tenants, clock,
                Duration.ofMinutes(15), Duration.ofDays(1), List.of(retention.task())).start();
             SweepScheduler two = new SweepScheduler(database.dataSource(), null, tenants, clock,
                Duration.ofMinutes(15), Duration.ofDays(1), List.of(retention.task())).start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ids("SELECT id FROM inbox")).containsExactly(recent).doesNotContain(old));
            assertThat(strings("SELECT task_name FROM scheduled_tasks WHERE task_name = '" + RetentionTask.TASK + "'"))
                    .hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void deletesOldBatchesReplacedByARebuildOrASplit(String store) {
        open(store);
        batch("old-superseded", "invoice_line", "superseded", null, 2); // created 30 days ago
        batch("old-split", "invoice_line", "split", null, 0);
        batch("old-pending", "invoice_line", "pending", null, 1);

        RetentionTask.Result result = new RetentionTask(database.jdbi(), clock, Duration.ofDays(7), 2).run();

        assertThat(result).isEqualTo(new RetentionTask.Result(0, 2, 2));
        assertThat(strings("SELECT batch_id FROM outbox_batch")).containsExactly("old-pending");
        assertThat(count("SELECT COUNT(*) FROM outbox_row")).isEqualTo(1);
    }

    private long inbox(Instant receivedAt, Instant processedAt) {
        return database.jdbi().withHandle(h -> h.createUpdate("""
                        INSERT INTO inbox (received_at, tenant_id, uri_token, event_name, object_type, object_id,
                                           fields_json, processed_at)
                        VALUES (:received, 't1', 'token', 'invoice.update', 'invoice', '1', '{}', :processed)""")
                .bind("received", receivedAt).bind("processed", processedAt)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    private void batch(String batchId, String table, String state, Instant sentAt, int rows) {
        Instant created = sentAt == null ? NOW.minus(DAY.multipliedBy(30)) : sentAt.minusSeconds(1);
        database.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO outbox_batch (batch_id, route, table_name, row_count, state, attempts,
                                                  next_attempt_at, pushed_at, created_at, sent_at)
                        VALUES (:id, 'default', :table, :rows, :state, 1, :created, :created, :created, :sent)""")
                .bind("id", batchId).bind("table", table).bind("rows", rows).bind("state", state)
                .bind("created", created).bind("sent", sentAt).execute());
        for (int i = 0; i < rows; i++) {
            row(batchId, table);
        }
    }

    private void row(String batchId, String table) {
        database.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key, sign,
                                                values_json, cause, created_at, batch_id)
                        VALUES ('default', :table, 't1', 'invoice', '1', 'k', 1, '{}', 'test', :created, :batch)""")
                .bind("table", table).bind("created", NOW.minus(DAY.multipliedBy(30))).bind("batch", batchId).execute());
    }

    private void jdbi(String sql) {
        database.jdbi().useHandle(h -> h.execute(sql));
    }

    private List<Long> ids(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).list());
    }

    private List<String> strings(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
    }

    private long count(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
