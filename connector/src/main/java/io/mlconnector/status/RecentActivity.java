package io.mlconnector.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * What the status page shows beyond {@code Operations.Status}, read from the store (so every instance of a cluster
 * on one PostgreSQL shows the same): events received and rows accepted per minute over the last hour, freshness now
 * and over the hour, what waits per table, and the backfill and sweep rows still waiting per tenant.
 */
public final class RecentActivity {
    /** The chart's and the freshness summary's window. */
    static final int MINUTES = 60;
    /** Outbox rows Power BI has not accepted yet (unbatched, or in a batch pending, posting or quarantined). */
    private static final String UNSENT = "(r.batch_id IS NULL OR b.state NOT IN ('sent', 'superseded', 'split'))";

    private final Jdbi jdbi;
    private final Clock clock;

    public RecentActivity(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /**
     * @param since               the first instant the per-minute counts cover
     * @param oldestWaitingEvent  when the oldest event whose rows Power BI has not accepted yet was received (null:
     *                            none waits); with {@code freshness.last()}, the freshness now
     * @param waitingByTable      rows not yet accepted, per Power BI table
     * @param backfillWaiting     of those, rows of backfills, sweeps and replays (no webhook caused them), per tenant
     */
    public record Snapshot(Instant at, Instant since, List<MinuteBuckets.Minute> eventsIn,
                           List<MinuteBuckets.Minute> rowsPushed, long eventsLastHour, long rowsLastHour,
                           Freshness.Summary freshness, Instant oldestWaitingEvent, Map<String, Long> waitingByTable,
                           Map<String, Long> backfillWaiting) {}

    public Snapshot read() {
        Instant now = clock.instant();
        Instant since = MinuteBuckets.windowStart(now, MINUTES);
        return jdbi.withHandle(h -> {
            List<MinuteBuckets.Occurrence> events = h.createQuery("SELECT received_at FROM inbox WHERE received_at >= :since")
                    .bind("since", since)
                    .map((rs, ctx) -> new MinuteBuckets.Occurrence(instant(rs.getObject(1, OffsetDateTime.class)), 1))
                    .list();
            List<MinuteBuckets.Occurrence> batches = h.createQuery(
                            "SELECT sent_at, row_count FROM outbox_batch WHERE state = 'sent' AND sent_at >= :since")
                    .bind("since", since)
                    .map((rs, ctx) -> new MinuteBuckets.Occurrence(instant(rs.getObject(1, OffsetDateTime.class)),
                            rs.getLong(2)))
                    .list();
            List<Freshness.Sample> samples = h.createQuery("""
                            SELECT r.received_at, b.sent_at, COUNT(*) FROM outbox_batch b
                            JOIN outbox_row r ON r.batch_id = b.batch_id
                            WHERE b.state = 'sent' AND b.sent_at >= :since AND r.received_at IS NOT NULL
                            GROUP BY b.batch_id, b.sent_at, r.received_at""")
                    .bind("since", since)
                    .map((rs, ctx) -> new Freshness.Sample(instant(rs.getObject(1, OffsetDateTime.class)),
                            instant(rs.getObject(2, OffsetDateTime.class)), rs.getLong(3)))
                    .list();
            Instant oldestInbox = h.createQuery("SELECT MIN(received_at) FROM inbox WHERE processed_at IS NULL")
                    .map((rs, ctx) -> instant(rs.getObject(1, OffsetDateTime.class))).one();
            Instant oldestRow = h.createQuery("SELECT MIN(r.received_at) FROM outbox_row r"
                            + " LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id WHERE " + UNSENT)
                    .map((rs, ctx) -> instant(rs.getObject(1, OffsetDateTime.class))).one();
            Map<String, Long> byTable = new TreeMap<>();
            Map<String, Long> backfill = new TreeMap<>();
            h.createQuery("SELECT r.table_name, r.tenant_id, r.received_at IS NULL, COUNT(*) FROM outbox_row r"
                            + " LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id WHERE " + UNSENT
                            + " GROUP BY r.table_name, r.tenant_id, r.received_at IS NULL")
                    .map((rs, ctx) -> {
                        byTable.merge(rs.getString(1), rs.getLong(4), Long::sum);
                        if (rs.getBoolean(3)) {
                            backfill.merge(rs.getString(2), rs.getLong(4), Long::sum);
                        }
                        return 0;
                    }).list();
            List<MinuteBuckets.Minute> eventsIn = MinuteBuckets.count(events, now, MINUTES);
            List<MinuteBuckets.Minute> rowsPushed = MinuteBuckets.count(batches, now, MINUTES);
            return new Snapshot(now, since, eventsIn, rowsPushed, total(eventsIn), total(rowsPushed),
                    Freshness.summarize(samples), earlier(oldestInbox, oldestRow), byTable, backfill);
        });
    }

    /** How long Power BI lags behind FreshBooks now: the oldest waiting event's age, or the last delay seen when longer. */
    public static Duration freshnessNow(Snapshot snapshot) {
        Duration last = snapshot.freshness().last();
        if (snapshot.oldestWaitingEvent() == null) {
            return last;
        }
        Duration waiting = Duration.between(snapshot.oldestWaitingEvent(), snapshot.at());
        waiting = waiting.isNegative() ? Duration.ZERO : waiting;
        return last == null || waiting.compareTo(last) > 0 ? waiting : last;
    }

    private static long total(List<MinuteBuckets.Minute> minutes) {
        return minutes.stream().mapToLong(MinuteBuckets.Minute::count).sum();
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
