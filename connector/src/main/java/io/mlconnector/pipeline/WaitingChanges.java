package io.mlconnector.pipeline;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Per tenant, when the oldest change not yet in Power BI arrived as a webhook event: an event still in the inbox, or
 * a row of a webhook's record not accepted yet. Its age is how stale the tenant's data in Power BI is right now, the
 * live side of the freshness the push stream measures on acceptance (metrics and alerts, issue 12).
 */
public final class WaitingChanges {
    private final Jdbi jdbi;

    public WaitingChanges(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every waiting change, whatever holds it up. */
    public Map<String, Instant> oldestByTenant() {
        return read(false, false);
    }

    /**
     * Only changes held up for no reason another alert already names: not of a tenant that needs re-authorization, not
     * a dead-lettered record, not a row of a blocked table or a quarantined batch, and nothing on the Power BI side
     * while {@code routePaused}.
     */
    public Map<String, Instant> oldestUnexplainedByTenant(boolean routePaused) {
        return read(true, routePaused);
    }

    private Map<String, Instant> read(boolean unexplainedOnly, boolean routePaused) {
        Map<String, Instant> oldest = new HashMap<>();
        String inbox = "SELECT i.tenant_id, MIN(i.received_at) FROM inbox i WHERE i.processed_at IS NULL"
                + (unexplainedOnly ? " " + """
                 AND i.tenant_id IN (SELECT tenant_id FROM tenant WHERE status = 'active')
                 AND NOT EXISTS (SELECT 1 FROM inbox_work w WHERE w.tenant_id = i.tenant_id AND w.object_type = i.object_type
                                 AND w.object_id = i.object_id AND w.dead_lettered_at IS NOT NULL)""" : "")
                + " GROUP BY i.tenant_id";
        // Unbatched rows, then rows of open batches: two index lookups (batch_id; state), never a scan of sent rows.
        String notBlocked = unexplainedOnly ? " AND r.table_name NOT IN (SELECT g.table_name FROM table_guard g"
                + " WHERE g.route = r.route AND g.state = 'blocked')" : "";
        String outbox = "SELECT tenant_id, MIN(received_at) FROM ("
                + "SELECT r.tenant_id, r.received_at FROM outbox_row r"
                + " WHERE r.batch_id IS NULL AND r.received_at IS NOT NULL" + notBlocked
                + " UNION ALL SELECT r.tenant_id, r.received_at FROM outbox_batch b JOIN outbox_row r ON r.batch_id = b.batch_id"
                + " WHERE b.state NOT IN ('sent', 'superseded', 'split'" + (unexplainedOnly ? ", 'quarantined'" : "") + ")"
                + " AND r.received_at IS NOT NULL" + notBlocked
                + ") waiting GROUP BY tenant_id";
        jdbi.useHandle(h -> {
            collect(h.createQuery(inbox).map((rs, ctx) -> Map.entry(rs.getString(1), time(rs.getObject(2, OffsetDateTime.class))))
                    .list(), oldest);
            if (!(unexplainedOnly && routePaused)) {
                collect(h.createQuery(outbox).map((rs, ctx) -> Map.entry(rs.getString(1), time(rs.getObject(2, OffsetDateTime.class))))
                        .list(), oldest);
            }
        });
        return oldest;
    }

    private static Instant time(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    private static void collect(java.util.List<Map.Entry<String, Instant>> rows, Map<String, Instant> oldest) {
        for (Map.Entry<String, Instant> row : rows) {
            if (row.getValue() != null) {
                oldest.merge(row.getKey(), row.getValue(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
    }
}
