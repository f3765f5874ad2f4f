package io.mlconnector.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a table's unbatched rows become a batch: a pure decision, carried out by the {@link Pusher}. A webhook's change
 * goes at once, since its freshness is the point. Rows of a backfill, a sweep or a rebuild come by the thousand and
 * nobody waits for one of them: they wait until a whole batch is there, until no more have come for a moment (the
 * listing ended), or until they have waited {@link #MAX_WAIT}. Power BI counts POSTs as well as rows (120 a minute;
 * 120 an hour once a table holds 250,000 rows, powerbi-api.md §4), so a backfill sent in full batches spends the
 * fewest, and leaves the rest to live changes.
 */
final class BatchTiming {
    /**
     * How long a table's background rows wait for more after the last one came. A backfill writes one record at a
     * time and reads a page of 100 records between; two seconds outlasts that read on a busy machine, and costs a
     * finished backfill or sweep no more than that at its end.
     */
    static final Duration LINGER = Duration.ofSeconds(2);

    /**
     * Background rows waiting this long go anyway, so a slow backfill shows progress every minute. A minute lets a
     * table fed at 10,000 rows a minute (60% of Power BI's 1,000,000 rows an hour per dataset) fill whole batches.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private BatchTiming() {}

    /**
     * A table's rows not yet in any batch.
     *
     * @param liveRows         rows caused by webhooks ({@link Outbox#LIVE})
     * @param backgroundRows   rows of backfills, sweeps and rebuilds ({@link Outbox#BACKGROUND})
     * @param backgroundBytes  what the background rows weigh in a POST (as {@link Outbox#formBatch} counts)
     * @param oldestBackground when the oldest background row was written (may be null when live rows or a whole
     *                         batch decide it)
     * @param newestBackground when the newest background row was written (likewise)
     */
    record Waiting(long liveRows, long backgroundRows, long backgroundBytes, Instant oldestBackground,
                   Instant newestBackground) {}

    /**
     * Whether to form the table's batch now (empty), or the instant to form it at, for rows that are all background:
     * the newest row's linger or the oldest row's {@link #MAX_WAIT}, whichever ends first.
     *
     * @param maxRows  the most rows a batch may hold
     * @param maxBytes the most row JSON a batch may hold
     */
    static Optional<Instant> waitUntil(Waiting waiting, int maxRows, long maxBytes, Instant now) {
        if (waiting.liveRows() > 0 || waiting.backgroundRows() == 0) {
            return Optional.empty(); // a live change goes at once (taking background rows with it, as room allows)
        }
        if (waiting.backgroundRows() >= maxRows || waiting.backgroundBytes() >= maxBytes) {
            return Optional.empty(); // a whole batch is there: waiting cannot make it bigger
        }
        Instant quiet = waiting.newestBackground().plus(LINGER);
        Instant old = waiting.oldestBackground().plus(MAX_WAIT);
        Instant at = quiet.isBefore(old) ? quiet : old;
        return at.isAfter(now) ? Optional.of(at) : Optional.empty();
    }
}
