package io.mlconnector.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps one dataset's POST rows requests inside Power BI's push quotas (reference powerbi-api §4, §5)
 * so that Power BI rarely has to answer 429: requests per minute, rows per hour, and requests per hour
 * once a table holds 250,000 rows. A {@code Retry-After} that does come back blocks the dataset until
 * it has passed. The limits are given with headroom below Power BI's, because Power BI counts a request
 * when it arrives, a little after we count it. Not thread-safe: one pusher thread owns a dataset.
 */
public final class QuotaShaper {

    /**
     * Limits per dataset; {@link #powerBiWithHeadroom()} is what the service uses. {@code burst} POSTs may
     * go out back to back; beyond that POSTs are paced evenly at {@code postsPerMinute}, so a busy dataset
     * sends a POST every half second or so with the rows gathered meanwhile, instead of spending a
     * minute's allowance in seconds and then standing still.
     */
    public record Limits(int postsPerMinute, long rowsPerHour, int postsPerHourWhenLarge, long largeTableRows,
                         int burst) {
        public static Limits powerBiWithHeadroom() {
            return new Limits(110, 950_000, 110, 250_000, 10);
        }
    }

    private record Post(Instant at, int rows) {}

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration HOUR = Duration.ofHours(1);

    private final Limits limits;
    private final Clock clock;
    private final Deque<Post> lastHour = new ArrayDeque<>();
    private Instant blockedUntil = Instant.MIN;
    /** Pacing as a generic cell rate algorithm: the theoretical time of the next POST at the steady rate. */
    private Instant paceAt = Instant.EPOCH;

    public QuotaShaper(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * How long to wait before a POST of {@code rows} rows may go out; zero means now.
     * {@code largestTableRows} is the row count of the dataset's fullest table.
     */
    public Duration waitBefore(int rows, long largestTableRows) {
        Instant now = clock.instant();
        forgetOlderThan(now.minus(HOUR));
        Instant earliest = now.isBefore(blockedUntil) ? blockedUntil : now;
        earliest = later(earliest, paceAt.minus(burstTolerance()));
        earliest = later(earliest, whenFewerThan(limits.postsPerMinute(), MINUTE, now));
        if (largestTableRows >= limits.largeTableRows()) {
            earliest = later(earliest, whenFewerThan(limits.postsPerHourWhenLarge(), HOUR, now));
        }
        earliest = later(earliest, whenRowsFit(rows, now));
        return Duration.between(now, earliest);
    }

    /**
     * Counts a POST made earlier, by this or another instance (a new owner of the dataset learns what its
     * predecessor spent from the store).
     */
    public void remember(Instant at, int rows) {
        Post post = new Post(at, rows);
        if (lastHour.contains(post)) {
            return;
        }
        if (lastHour.isEmpty() || !at.isBefore(lastHour.peekLast().at())) {
            lastHour.addLast(post); // the usual case: a new owner remembers its predecessor's POSTs oldest first
        } else {
            java.util.List<Post> sorted = new java.util.ArrayList<>(lastHour);
            sorted.add(post);
            sorted.sort(java.util.Comparator.comparing(Post::at));
            lastHour.clear();
            lastHour.addAll(sorted);
        }
        paceAt = later(paceAt, at.plus(spacing()));
    }

    /** Counts a POST that is going out now. */
    public void recordPost(int rows) {
        Instant now = clock.instant();
        lastHour.addLast(new Post(now, rows));
        paceAt = later(paceAt, now).plus(spacing());
    }

    private Duration spacing() {
        return MINUTE.dividedBy(limits.postsPerMinute());
    }

    private Duration burstTolerance() {
        return spacing().multipliedBy(Math.max(0, limits.burst() - 1));
    }

    /** Power BI said 429 with this {@code Retry-After}: send nothing to this dataset before it has passed. */
    public void blockFor(Duration retryAfter) {
        Instant until = clock.instant().plus(retryAfter);
        if (until.isAfter(blockedUntil)) {
            blockedUntil = until;
        }
    }

    public Instant blockedUntil() {
        return blockedUntil;
    }

    /** Earliest instant at which fewer than {@code max} posts lie within {@code window}. */
    private Instant whenFewerThan(int max, Duration window, Instant now) {
        Instant windowStart = now.minus(window);
        int inWindow = 0;
        for (Post post : lastHour) {
            if (post.at().isAfter(windowStart)) {
                inWindow++;
            }
        }
        if (inWindow < max) {
            return now;
        }
        // The (inWindow - max + 1)-th oldest post in the window must leave it first.
        int toExpire = inWindow - max + 1;
        for (Post post : lastHour) {
            if (post.at().isAfter(windowStart) && --toExpire == 0) {
                return post.at().plus(window);
            }
        }
        return now;
    }

    private Instant whenRowsFit(int rows, Instant now) {
        long total = lastHour.stream().mapToLong(Post::rows).sum();
        Instant at = now;
        for (Post post : lastHour) {
            if (total + rows <= limits.rowsPerHour()) {
                break;
            }
            total -= post.rows();
            at = post.at().plus(HOUR);
        }
        return at;
    }

    private void forgetOlderThan(Instant cutoff) {
        while (!lastHour.isEmpty() && !lastHour.peekFirst().at().isAfter(cutoff)) {
            lastHour.removeFirst();
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
