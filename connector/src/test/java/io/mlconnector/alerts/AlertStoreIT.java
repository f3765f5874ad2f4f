package io.mlconnector.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.alerts.AlertRules.Episode;
import io.mlconnector.alerts.AlertRules.Kind;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.pipeline.WaitingChanges;
import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The alerts' store side on H2 and PostgreSQL: episodes kept across evaluations, and which waiting changes count. */
class AlertStoreIT {
    private static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");

    @TempDir
    Path dir;
    Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private void open(String store) {
        database = store.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void episodesAreReplacedAndReadBack(String store) {
        open(store);
        AlertEpisodes episodes = new AlertEpisodes(database.jdbi());
        assertThat(episodes.load()).isEmpty();
        Episode fired = new Episode(Kind.TABLE_BLOCKED, "payments", "blocked", "mlc dataset sync", NOW, NOW.plusSeconds(1));
        Episode waiting = new Episode(Kind.CONTROL_TOTALS, "invoices/acme", "differ", null, NOW, null);
        episodes.save(Map.of("table_blocked:payments", fired, "control_totals:invoices/acme", waiting));
        assertThat(episodes.load()).containsExactlyInAnyOrderEntriesOf(
                Map.of("table_blocked:payments", fired, "control_totals:invoices/acme", waiting));
        episodes.save(Map.of("control_totals:invoices/acme", waiting));
        assertThat(episodes.load()).containsOnlyKeys("control_totals:invoices/acme");
        episodes.save(Map.of());
        assertThat(episodes.load()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void waitingChangesLeaveOutThoseAnotherAlertExplains(String store) {
        open(store);
        database.jdbi().useHandle(h -> {
            for (String[] tenant : new String[][] {{"acme", "active"}, {"globex", "needs_reauthorization"}}) {
                h.createUpdate("INSERT INTO tenant (tenant_id, business_id, business_uuid, business_name, status, created_at,"
                                + " updated_at) VALUES (:id, 1, :id, :id, :status, :now, :now)")
                        .bind("id", tenant[0]).bind("status", tenant[1]).bind("now", NOW).execute();
            }
            // Events waiting in the inbox: acme's since 06:00, globex's (needs re-authorization) since 05:50.
            inbox(h, "acme", NOW);
            inbox(h, "globex", NOW.minus(Duration.ofMinutes(10)));
            // A row of acme's waiting for a blocked table since 05:55; one of a table that is fine since 05:58.
            h.createUpdate("INSERT INTO table_guard (route, table_name, state, checked_at) VALUES ('default', 'payments', 'blocked', :now)")
                    .bind("now", NOW).execute();
            outboxRow(h, "acme", "payments", NOW.minus(Duration.ofMinutes(5)), null);
            outboxRow(h, "acme", "invoices", NOW.minus(Duration.ofMinutes(2)), null);
            // In batches: one being posted since 05:57, one quarantined since 05:51, one sent (05:40: not waiting).
            batch(h, "open", "invoices", "posting", NOW, null);
            batch(h, "bad", "invoices", "quarantined", NOW, null);
            batch(h, "done", "invoices", "sent", NOW, NOW);
            outboxRow(h, "acme", "invoices", NOW.minus(Duration.ofMinutes(3)), "open");
            outboxRow(h, "acme", "invoices", NOW.minus(Duration.ofMinutes(9)), "bad");
            outboxRow(h, "acme", "invoices", NOW.minus(Duration.ofMinutes(20)), "done");
        });
        WaitingChanges waiting = new WaitingChanges(database.jdbi());
        assertThat(waiting.oldestByTenant()).containsOnly(Map.entry("acme", NOW.minus(Duration.ofMinutes(9))),
                Map.entry("globex", NOW.minus(Duration.ofMinutes(10))));
        assertThat(waiting.oldestUnexplainedByTenant(false)).as("not globex, not the blocked table's or quarantined rows")
                .containsOnly(Map.entry("acme", NOW.minus(Duration.ofMinutes(3))));
        assertThat(waiting.oldestUnexplainedByTenant(true)).as("route paused: the outbox is explained")
                .containsOnly(Map.entry("acme", NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void quarantinedRowsCountOnceTheirTableAcceptedRowsSinceOrTheyWaitedTooLong(String store) {
        open(store);
        Outbox outbox = new Outbox(database, PipelineJson.mapper());
        Instant quarantinedAt = NOW;
        database.jdbi().useHandle(h -> batch(h, "q1", "payments", "quarantined", quarantinedAt, null));
        assertThat(outbox.settledQuarantineCount("default", NOW.minus(Duration.ofMinutes(10))))
                .as("undecided: the table may be what is wrong").isZero();
        database.jdbi().useHandle(h -> batch(h, "s1", "invoices", "sent", NOW, NOW.plusSeconds(5)));
        assertThat(outbox.settledQuarantineCount("default", NOW.minus(Duration.ofMinutes(10))))
                .as("another table's acceptance settles nothing").isZero();
        assertThat(outbox.settledQuarantineCount("default", NOW.plusSeconds(1))).as("waited too long").isEqualTo(1);
        database.jdbi().useHandle(h -> batch(h, "s2", "payments", "sent", NOW, NOW.plusSeconds(5)));
        assertThat(outbox.settledQuarantineCount("default", NOW.minus(Duration.ofMinutes(10))))
                .as("its table accepted rows since: the rows are at fault").isEqualTo(1);
        assertThat(outbox.settledQuarantineCount("other", NOW.plusSeconds(1))).isZero();
    }

    private static void batch(org.jdbi.v3.core.Handle h, String id, String table, String state, Instant at, Instant sentAt) {
        h.createUpdate("INSERT INTO outbox_batch (batch_id, route, table_name, row_count, state, attempts, next_attempt_at,"
                        + " pushed_at, created_at, sent_at, first_row_id) VALUES (:id, 'default', :table, 1, :state, 1, :at, :at, :at,"
                        + " :sentAt, 0)")
                .bind("id", id).bind("table", table).bind("state", state).bind("at", at).bind("sentAt", sentAt).execute();
    }

    private static void inbox(org.jdbi.v3.core.Handle h, String tenant, Instant at) {
        h.createUpdate("INSERT INTO inbox (received_at, tenant_id, uri_token, event_name, object_type, object_id, fields_json)"
                        + " VALUES (:at, :tenant, 'tok', 'invoice.update', 'invoice', '1', '{}')")
                .bind("at", at).bind("tenant", tenant).execute();
    }

    private static void outboxRow(org.jdbi.v3.core.Handle h, String tenant, String table, Instant received, String batch) {
        h.createUpdate("INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key, sign,"
                        + " values_json, cause, created_at, received_at, batch_id)"
                        + " VALUES ('default', :table, :tenant, 'invoice', '1', 'k', 1, '{}', 'inbox:1-1', :now, :received, :batch)")
                .bind("table", table).bind("tenant", tenant).bind("now", NOW).bind("received", received)
                .bind("batch", batch).execute();
    }
}
