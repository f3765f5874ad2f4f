package io.mlconnector.sim.powerbi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The rolling windows of one dataset's POST rows quotas (reference powerbi-api.md §4, §5): 120 requests per
 * minute, 1,000,000 rows per hour, and 120 requests per hour once a table holds 250,000 rows or more.
 * Only accepted (written) requests count, so a refused request never extends a window and Retry-After is
 * exactly the time until the window admits the same request. Not thread-safe: the owning dataset locks.
 */
final class DatasetQuota {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration HOUR = Duration.ofHours(1);

    private record Accepted(Instant at, long rows) {}

    private final PushLimits limits;
    private final Deque<Accepted> lastHour = new ArrayDeque<>(); // oldest first

    DatasetQuota(PushLimits limits) {
        this.limits = limits;
    }

    /** Why a request must wait, and for how long. */
    record Refusal(Duration delay, String message) {
        /** Whole seconds, rounded up, at least 1. */
        long retryAfterSeconds() {
            long seconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
            return Math.max(1, seconds);
        }
    }

    /**
     * @param rows at most {@code rowsPerHour}: a larger request can never be admitted (callers refuse it first)
     * @param largeTable whether a table of the dataset holds at least {@code largeTableRows} rows
     * @return the refusal with the longest wait among the breached windows (the request is admitted only when all
     *     admit it, and each window only frees up as time passes), or empty when the request may go ahead
     */
    Optional<Refusal> check(Instant now, long rows, boolean largeTable) {
        if (rows > limits.rowsPerHour()) {
            // No wait would ever admit it, so no Retry-After can be computed; the caller refuses it with 400.
            throw new IllegalArgumentException(rows + " rows can never fit " + limits.rowsPerHour() + " rows per hour");
        }
        expire(now);
        Refusal worst = null;
        worst = longer(worst, requestWindow(now, MINUTE, limits.postsPerMinute(),
                "You have exceeded the limit of " + limits.postsPerMinute()
                        + " POST rows requests per minute for this dataset."));
        if (largeTable) {
            worst = longer(worst, requestWindow(now, HOUR, limits.postsPerHourForLargeTables(),
                    "A table of this dataset holds " + limits.largeTableRows() + " rows or more, so only "
                            + limits.postsPerHourForLargeTables() + " POST rows requests per hour are allowed."));
        }
        worst = longer(worst, rowWindow(now, rows));
        return Optional.ofNullable(worst);
    }

    void record(Instant now, long rows) {
        lastHour.addLast(new Accepted(now, rows));
    }

    private Refusal requestWindow(Instant now, Duration window, int limit, String message) {
        Instant start = now.minus(window);
        int inWindow = 0;
        for (Accepted a : lastHour) {
            if (a.at().isAfter(start)) {
                inWindow++;
            }
        }
        if (inWindow < limit) {
            return null;
        }
        // The request is admitted once inWindow - limit + 1 of the oldest requests in the window have left it.
        int toLeave = inWindow - limit + 1;
        Instant freedAt = null;
        for (Accepted a : lastHour) {
            if (a.at().isAfter(start) && --toLeave == 0) {
                freedAt = a.at().plus(window);
                break;
            }
        }
        return new Refusal(Duration.between(now, freedAt), message);
    }

    private Refusal rowWindow(Instant now, long rows) {
        long inWindow = lastHour.stream().mapToLong(Accepted::rows).sum();
        if (inWindow + rows <= limits.rowsPerHour()) {
            return null;
        }
        long remaining = inWindow;
        Iterator<Accepted> oldestFirst = lastHour.iterator();
        Instant freedAt = now;
        while (remaining + rows > limits.rowsPerHour() && oldestFirst.hasNext()) {
            Accepted a = oldestFirst.next();
            remaining -= a.rows();
            freedAt = a.at().plus(HOUR);
        }
        // Message of the 2016 documentation (reference §3.2).
        return new Refusal(Duration.between(now, freedAt), "You are over your rows per hour limit for this dataset."
                + " To push more rows per hour, upgrade your account to Power BI Pro or retry your push later.");
    }

    private void expire(Instant now) {
        Instant start = now.minus(HOUR);
        while (!lastHour.isEmpty() && !lastHour.peekFirst().at().isAfter(start)) {
            lastHour.removeFirst();
        }
    }

    private static Refusal longer(Refusal a, Refusal b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.delay().compareTo(a.delay()) > 0 ? b : a;
    }
}
