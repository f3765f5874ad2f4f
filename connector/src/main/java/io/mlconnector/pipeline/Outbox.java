package io.mlconnector.pipeline;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Durable rows waiting for Power BI, grouped into batches. A batch is formed once (its rows and its
 * pushed_at are fixed), so every retry posts the same rows; it is marked sent only after Power BI's 200.
 */
public final class Outbox {
    private final Jdbi jdbi;
    private final JsonMapper json;

    public Outbox(Jdbi jdbi, JsonMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    public record Batch(String batchId, String route, String table, int rowCount, int attempts, Instant nextAttemptAt,
                        Instant pushedAt, String state, String lastError) {}

    /** Tables of a route that have rows not yet in any batch, the one whose rows waited longest first. */
    public List<String> tablesWithUnbatchedRows(String route) {
        return jdbi.withHandle(h -> h.createQuery("SELECT table_name FROM outbox_row"
                        + " WHERE route = :route AND batch_id IS NULL GROUP BY table_name ORDER BY MIN(id)")
                .bind("route", route).mapTo(String.class).list());
    }

    /** Puts up to {@code maxRows} of the oldest unbatched rows of one table into a new pending batch. */
    public Optional<Batch> formBatch(String route, String table, int maxRows, Instant now) {
        return jdbi.inTransaction(h -> {
            List<Long> ids = h.createQuery("""
                            SELECT id FROM outbox_row WHERE route = :route AND table_name = :table AND batch_id IS NULL
                            ORDER BY id LIMIT :max""")
                    .bind("route", route).bind("table", table).bind("max", maxRows)
                    .mapTo(Long.class).list();
            if (ids.isEmpty()) {
                return Optional.<Batch>empty();
            }
            String batchId = UUID.randomUUID().toString();
            h.createUpdate("""
                            INSERT INTO outbox_batch (batch_id, route, table_name, row_count, state, attempts,
                                                      next_attempt_at, pushed_at, created_at)
                            VALUES (:id, :route, :table, :count, 'pending', 0, :now, :now, :now)""")
                    .bind("id", batchId).bind("route", route).bind("table", table).bind("count", ids.size())
                    .bind("now", now).execute();
            h.createUpdate("UPDATE outbox_row SET batch_id = :batch WHERE id IN (<ids>) AND batch_id IS NULL")
                    .bind("batch", batchId).bindList("ids", ids).execute();
            return Optional.of(new Batch(batchId, route, table, ids.size(), 0, now, now, "pending", null));
        });
    }

    /** Pending batches of a route in the order they were formed. */
    public List<Batch> pending(String route) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM outbox_batch WHERE route = :route AND state = 'pending'
                        ORDER BY seq""")
                .bind("route", route).map(Outbox::batch).list());
    }

    /** The rows of a batch as posted: stored values plus sign, pushed_at_utc and batch_id. */
    public List<ObjectNode> rowsOf(Batch batch) {
        String pushedAt = batch.pushedAt().toString();
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT sign, values_json FROM outbox_row WHERE batch_id = :batch ORDER BY id")
                .bind("batch", batch.batchId())
                .map((rs, ctx) -> {
                    ObjectNode row = (ObjectNode) json.readTree(rs.getString("values_json"));
                    row.put("sign", rs.getInt("sign"));
                    row.put("pushed_at_utc", pushedAt);
                    row.put("batch_id", batch.batchId());
                    return row;
                })
                .list());
    }

    public void markSent(String batchId, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET state = 'sent', sent_at = :now, attempts = attempts + 1, last_error = NULL
                        WHERE batch_id = :id""")
                .bind("id", batchId).bind("now", now).execute());
    }

    /** A failed or throttled attempt: try again at {@code nextAttemptAt}. */
    public void retryLater(String batchId, Instant nextAttemptAt, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET attempts = attempts + 1, next_attempt_at = :at, last_error = :error
                        WHERE batch_id = :id""")
                .bind("id", batchId).bind("at", nextAttemptAt).bind("error", clip(error)).execute());
    }

    /** Power BI refused the batch for a reason retrying cannot fix: keep it aside with the reason. */
    public void quarantine(String batchId, String reason, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET state = 'quarantined', attempts = attempts + 1, last_error = :error,
                               next_attempt_at = :now
                        WHERE batch_id = :id""")
                .bind("id", batchId).bind("now", now).bind("error", clip(reason)).execute());
    }

    /** Puts a quarantined batch back in line (after the cause was fixed). */
    public boolean replay(String batchId, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET state = 'pending', next_attempt_at = :now
                        WHERE batch_id = :id AND state = 'quarantined'""")
                .bind("id", batchId).bind("now", now).execute()) == 1;
    }

    public List<Batch> quarantined() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM outbox_batch WHERE state = 'quarantined' ORDER BY seq")
                .map(Outbox::batch).list());
    }

    /**
     * Rows Power BI has accepted per table of a route (for the 250,000-row rule and status), including
     * those of batches {@link RetentionTask} has deleted.
     */
    public java.util.Map<String, Long> sentRowsByTable(String route) {
        return jdbi.withHandle(h -> {
            java.util.Map<String, Long> counts = new java.util.TreeMap<>();
            h.createQuery("""
                            SELECT table_name, SUM(n) AS n FROM (
                                SELECT table_name, row_count AS n FROM outbox_batch WHERE route = :route AND state = 'sent'
                                UNION ALL
                                SELECT table_name, deleted FROM retention_total WHERE kind = 'outbox' AND route = :route
                            ) sent GROUP BY table_name""")
                    .bind("route", route)
                    .map((rs, ctx) -> counts.put(rs.getString("table_name"), rs.getLong("n"))).list();
            return counts;
        });
    }

    public long sentRowCount() {
        return jdbi.withHandle(h -> h.createQuery(
                "SELECT (SELECT COALESCE(SUM(row_count), 0) FROM outbox_batch WHERE state = 'sent')"
                        + " + (SELECT COALESCE(SUM(deleted), 0) FROM retention_total WHERE kind = 'outbox')")
                .mapTo(Long.class).one());
    }

    /** When the oldest row not yet accepted by Power BI was written, or null when none waits. */
    public Instant oldestUnsentCreatedAt() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(r.created_at) FROM outbox_row r"
                        + " LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id"
                        + " WHERE r.batch_id IS NULL OR b.state <> 'sent'")
                .mapTo(java.time.OffsetDateTime.class).findFirst().map(java.time.OffsetDateTime::toInstant).orElse(null));
    }

    public long unsentRowCount() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) FROM outbox_row r LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id
                        WHERE r.batch_id IS NULL OR b.state <> 'sent'""").mapTo(Long.class).one());
    }

    /** Error texts are kept to the column's 2,000 characters. */
    static String clip(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
    }

    private static Batch batch(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Batch(rs.getString("batch_id"), rs.getString("route"), rs.getString("table_name"),
                rs.getInt("row_count"), rs.getInt("attempts"), instant(rs, "next_attempt_at"), instant(rs, "pushed_at"),
                rs.getString("state"), rs.getString("last_error"));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        java.time.OffsetDateTime t = rs.getObject(column, java.time.OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
