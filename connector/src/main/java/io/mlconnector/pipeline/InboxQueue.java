package io.mlconnector.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The pipeline's view of the webhook inbox: which records have pending events, coalesced. A record is
 * due once its events have been quiet for the coalescing window (a burst of edits becomes one fetch),
 * or once its oldest pending event has waited {@code maxDelay} (so a record edited non-stop still moves).
 * Events of a tenant that needs reauthorization wait in the inbox until it is reconnected.
 */
public final class InboxQueue {
    private final Jdbi jdbi;
    private final Duration quietWindow;
    private final Duration maxDelay;

    public InboxQueue(Jdbi jdbi, Duration quietWindow, Duration maxDelay) {
        this.jdbi = jdbi;
        this.quietWindow = quietWindow;
        this.maxDelay = maxDelay;
    }

    /** A due record and the newest inbox id its fetch will cover. */
    public record DueRecord(RecordKey key, long firstInboxId, long lastInboxId, int events) {}

    public List<DueRecord> due(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT i.tenant_id, i.object_type, i.object_id, MIN(i.id) AS first_id, MAX(i.id) AS last_id,
                               COUNT(*) AS events
                        FROM inbox i JOIN tenant t ON t.tenant_id = i.tenant_id AND t.status = 'active'
                        WHERE i.processed_at IS NULL
                        GROUP BY i.tenant_id, i.object_type, i.object_id
                        HAVING MAX(i.received_at) <= :quietSince OR MIN(i.received_at) <= :waitingSince
                        ORDER BY MIN(i.id)
                        LIMIT :limit""")
                .bind("quietSince", now.minus(quietWindow))
                .bind("waitingSince", now.minus(maxDelay))
                .bind("limit", limit)
                .map((rs, ctx) -> new DueRecord(
                        new RecordKey(rs.getString("tenant_id"), rs.getString("object_type"), rs.getString("object_id")),
                        rs.getLong("first_id"), rs.getLong("last_id"), rs.getInt("events")))
                .list());
    }

    /** Marks the record's events up to {@code lastInboxId} done, in the transaction that wrote their rows. */
    public void markProcessed(Handle handle, RecordKey key, long lastInboxId, Instant now) {
        handle.createUpdate("""
                        UPDATE inbox SET processed_at = :now
                        WHERE tenant_id = :tenant AND object_type = :type AND object_id = :id
                          AND id <= :lastId AND processed_at IS NULL""")
                .bind("now", now)
                .bind("tenant", key.tenantId())
                .bind("type", key.objectType())
                .bind("id", key.objectId())
                .bind("lastId", lastInboxId)
                .execute();
    }

    /** Every event ever stored (processed or not). */
    public long totalCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT (SELECT COUNT(*) FROM inbox)"
                + " + (SELECT COALESCE(SUM(deleted), 0) FROM retention_total WHERE kind = 'inbox')").mapTo(Long.class).one());
    }

    /** When the oldest unprocessed event arrived, or null when none waits. */
    public Instant oldestPendingReceivedAt() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(received_at) FROM inbox WHERE processed_at IS NULL")
                .mapTo(java.time.OffsetDateTime.class).findFirst().map(java.time.OffsetDateTime::toInstant).orElse(null));
    }

    public long pendingCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL")
                .mapTo(Long.class).one());
    }
}
