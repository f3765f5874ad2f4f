package io.mlconnector.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Freshness: how long from a webhook event's receipt until Power BI accepted the rows it caused. Percentiles are
 * by rows (nearest rank: the smallest delay at least {@code p} of the rows waited no longer than). A pure function.
 */
public final class Freshness {
    private Freshness() {
    }

    /** {@code rows} rows whose earliest event was received at {@code receivedAt}, accepted at {@code acceptedAt}. */
    public record Sample(Instant receivedAt, Instant acceptedAt, long rows) {
        public Duration delay() {
            Duration d = Duration.between(receivedAt, acceptedAt);
            return d.isNegative() ? Duration.ZERO : d; // clocks of two instances may differ by a little
        }
    }

    /**
     * A window's freshness; the durations are null when no row caused by an event was accepted in it.
     *
     * @param last  the delay of the most recently accepted rows (the slowest of them)
     * @param rows  rows caused by events and accepted in the window
     */
    public record Summary(long rows, Duration p50, Duration p95, Duration max, Duration last, Instant lastAcceptedAt) {}

    public static Summary summarize(List<Sample> samples) {
        List<Sample> sorted = samples.stream().filter(s -> s.rows() > 0)
                .sorted(Comparator.comparing(Sample::delay)).toList();
        long total = sorted.stream().mapToLong(Sample::rows).sum();
        if (total == 0) {
            return new Summary(0, null, null, null, null, null);
        }
        Instant lastAccepted = sorted.stream().map(Sample::acceptedAt).max(Comparator.naturalOrder()).orElseThrow();
        Duration last = sorted.stream().filter(s -> s.acceptedAt().equals(lastAccepted)).map(Sample::delay)
                .max(Comparator.naturalOrder()).orElseThrow();
        return new Summary(total, percentile(sorted, total, 50), percentile(sorted, total, 95),
                sorted.get(sorted.size() - 1).delay(), last, lastAccepted);
    }

    /** Nearest rank over rows: the delay of the row at rank ceil(p/100 × total), rows ordered by delay. */
    static Duration percentile(List<Sample> byDelay, long total, int p) {
        long rank = Math.max(1, (total * p + 99) / 100);
        long seen = 0;
        for (Sample s : byDelay) {
            seen += s.rows();
            if (seen >= rank) {
                return s.delay();
            }
        }
        return byDelay.get(byDelay.size() - 1).delay();
    }
}
