package io.mlconnector.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The status page's last hour, read from the store on H2 and PostgreSQL, with known answers. */
class RecentActivityIT {
    private static final Instant NOW = Instant.parse("2026-03-20T12:00:30Z");

    @TempDir
    Path dir;
    Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void perMinuteCountsFreshnessAndWhatWaits(String store) {
        database = store.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres();
        inbox(ago(10), true);
        inbox(ago(70), true);
        inbox(ago(5), false);               // still pending
        inbox(ago(61 * 60), true);          // before the hour
        batch("b1", "invoices", "sent", ago(20));
        row("b1", "invoices", "t1", ago(22));
        row("b1", "invoices", "t1", ago(22));
        row("b1", "invoices", "t1", null);  // a backfill's row: no freshness
        batch("b2", "payments", "sent", ago(65));
        row("b2", "payments", "t1", ago(70));
        row("b2", "payments", "t2", ago(70));
        batch("old", "payments", "sent", ago(2 * 3600));
        row("old", "payments", "t1", ago(2 * 3600 + 3));
        row(null, "invoices", "t1", ago(8)); // caused by an event, not in a batch yet
        batch("p", "payments", "pending", null);
        row("p", "payments", "t2", null);    // a backfill's row waiting

        RecentActivity.Snapshot snapshot = new RecentActivity(database.jdbi(), new MutableClock(NOW)).read();

        assertThat(snapshot.since()).isEqualTo(Instant.parse("2026-03-20T11:01:00Z"));
        assertThat(snapshot.eventsIn()).hasSize(60);
        assertThat(snapshot.eventsIn().get(59)).isEqualTo(new MinuteBuckets.Minute(Instant.parse("2026-03-20T12:00:00Z"), 2));
        assertThat(snapshot.eventsIn().get(58)).isEqualTo(new MinuteBuckets.Minute(Instant.parse("2026-03-20T11:59:00Z"), 1));
        assertThat(snapshot.eventsLastHour()).isEqualTo(3);
        assertThat(snapshot.rowsPushed().get(59).count()).isEqualTo(3);
        assertThat(snapshot.rowsPushed().get(58).count()).isEqualTo(2);
        assertThat(snapshot.rowsLastHour()).isEqualTo(5);

        Freshness.Summary freshness = snapshot.freshness();
        assertThat(freshness.rows()).isEqualTo(4);
        assertThat(freshness.p50()).isEqualTo(Duration.ofSeconds(2));
        assertThat(freshness.p95()).isEqualTo(Duration.ofSeconds(5));
        assertThat(freshness.max()).isEqualTo(Duration.ofSeconds(5));
        assertThat(freshness.last()).isEqualTo(Duration.ofSeconds(2));
        assertThat(freshness.lastAcceptedAt()).isEqualTo(ago(20));

        assertThat(snapshot.oldestWaitingEvent()).as("the waiting row's event, older than the pending one").isEqualTo(ago(8));
        assertThat(RecentActivity.freshnessNow(snapshot)).isEqualTo(Duration.ofSeconds(8));
        assertThat(snapshot.waitingByTable()).isEqualTo(Map.of("invoices", 1L, "payments", 1L));
        assertThat(snapshot.backfillWaiting()).isEqualTo(Map.of("t2", 1L));
    }

    private static Instant ago(long seconds) {
        return NOW.minusSeconds(seconds);
    }

    private void inbox(Instant receivedAt, boolean processed) {
        database.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO inbox (received_at, tenant_id, uri_token, event_name, object_type, object_id,
                                           fields_json, processed_at)
                        VALUES (:received, 't1', 'token', 'invoice.update', 'invoice', '1', '{}', :processed)""")
                .bind("received", receivedAt).bindByType("processed", processed ? NOW : null, Instant.class).execute());
    }

    private void batch(String batchId, String table, String state, Instant sentAt) {
        Instant created = sentAt == null ? ago(100) : sentAt.minusSeconds(1);
        database.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO outbox_batch (batch_id, route, table_name, row_count, state, attempts,
                                                  next_attempt_at, pushed_at, created_at, sent_at)
                        VALUES (:id, 'default', :table, 0, :state, 1, :created, :created, :created, :sent)""")
                .bind("id", batchId).bind("table", table).bind("state", state)
                .bind("created", created).bindByType("sent", sentAt, Instant.class).execute());
    }

    /** A row, counted into its batch's row_count as the pusher does. */
    private void row(String batchId, String table, String tenant, Instant receivedAt) {
        database.jdbi().useHandle(h -> {
            h.createUpdate("""
                            INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key, sign,
                                                    values_json, cause, created_at, batch_id, received_at)
                            VALUES ('default', :table, :tenant, 'invoice', '1', 'k', 1, '{}', 'test', :created, :batch,
                                    :received)""")
                    .bind("table", table).bind("tenant", tenant).bind("created", ago(100))
                    .bindByType("batch", batchId, String.class).bindByType("received", receivedAt, Instant.class).execute();
            if (batchId != null) {
                h.createUpdate("UPDATE outbox_batch SET row_count = row_count + 1 WHERE batch_id = :id")
                        .bind("id", batchId).execute();
            }
        });
    }
}
