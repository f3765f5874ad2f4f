package io.mlconnector.pipeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code mlc replay --table/--from/--to/--error}: quarantined batches (by table, when formed, error class) and dead
 * letters (by tenant, when dead-lettered, error class) picked from the store and replayed one by one the way a single
 * one is ({@link Outbox#replay}, {@link InboxQueue#requeue}), so each keeps its own safety rules.
 */
public final class ReplaySelection {
    /** What to pick; null fields do not narrow. */
    public record Filter(String table, String tenantId, Instant from, Instant to, String error) {}

    /** How many were replayed, and the error classes of what the filter's other fields selected (to pick from). */
    public record Replayed(int replayed, Map<String, Integer> classes) {}

    private final Jdbi jdbi;
    private final Outbox outbox;
    private final InboxQueue inbox;

    public ReplaySelection(Jdbi jdbi, Outbox outbox, InboxQueue inbox) {
        this.jdbi = jdbi;
        this.outbox = outbox;
        this.inbox = inbox;
    }

    public Replayed quarantinedBatches(Filter filter, Instant now) {
        record Candidate(String batchId, String error) {}
        List<Candidate> candidates = jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT batch_id, last_error FROM outbox_batch WHERE state = 'quarantined'"
                    + (filter.table() == null ? "" : " AND table_name = :table")
                    + (filter.from() == null ? "" : " AND created_at >= :from")
                    + (filter.to() == null ? "" : " AND created_at < :to") + " ORDER BY seq");
            bindCommon(query, filter);
            return query.map((rs, ctx) -> new Candidate(rs.getString(1), rs.getString(2))).list();
        });
        Map<String, Integer> classes = new TreeMap<>();
        int replayed = 0;
        for (Candidate c : candidates) {
            classes.merge(ErrorClass.of(c.error()), 1, Integer::sum);
            if (ErrorClass.matches(filter.error(), c.error()) && outbox.replay(c.batchId(), now)) {
                replayed++;
            }
        }
        return new Replayed(replayed, classes);
    }

    public Replayed deadLetters(Filter asked) {
        Filter filter = new Filter(null, asked.tenantId(), asked.from(), asked.to(), asked.error()); // no table here
        List<Object[]> candidates = jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT tenant_id, object_type, object_id, last_error FROM inbox_work"
                    + " WHERE dead_lettered_at IS NOT NULL"
                    + (filter.tenantId() == null ? "" : " AND tenant_id = :tenant")
                    + (filter.from() == null ? "" : " AND dead_lettered_at >= :from")
                    + (filter.to() == null ? "" : " AND dead_lettered_at < :to"));
            bindCommon(query, filter);
            if (filter.tenantId() != null) {
                query.bind("tenant", filter.tenantId());
            }
            return query.map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)})
                    .list();
        });
        Map<String, Integer> classes = new TreeMap<>();
        List<RecordKey> chosen = new ArrayList<>();
        for (Object[] c : candidates) {
            classes.merge(ErrorClass.of((String) c[3]), 1, Integer::sum);
            if (ErrorClass.matches(filter.error(), (String) c[3])) {
                chosen.add(new RecordKey((String) c[0], (String) c[1], (String) c[2]));
            }
        }
        int replayed = 0;
        for (RecordKey key : chosen) {
            replayed += inbox.requeue(key) ? 1 : 0;
        }
        return new Replayed(replayed, classes);
    }

    private static void bindCommon(org.jdbi.v3.core.statement.Query query, Filter filter) {
        if (filter.table() != null) {
            query.bind("table", filter.table());
        }
        if (filter.from() != null) {
            query.bind("from", filter.from().atOffset(ZoneOffset.UTC));
        }
        if (filter.to() != null) {
            query.bind("to", filter.to().atOffset(ZoneOffset.UTC));
        }
    }
}
