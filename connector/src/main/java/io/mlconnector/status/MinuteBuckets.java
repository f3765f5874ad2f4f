package io.mlconnector.status;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts per minute over a window ending now, for the status page's chart: the minute holding {@code now} is the
 * last bucket (still filling), the {@code minutes - 1} whole minutes before it come first. A pure function.
 */
public final class MinuteBuckets {
    private MinuteBuckets() {
    }

    /** Something that happened at {@code at}, counting {@code weight} (1 for an event, a batch's row count). */
    public record Occurrence(Instant at, long weight) {}

    /** One minute, from {@code start} (inclusive) to {@code start + 1 min} (exclusive). */
    public record Minute(Instant start, long count) {}

    /** The first instant the window of {@code minutes} buckets ending with {@code now}'s minute covers. */
    public static Instant windowStart(Instant now, int minutes) {
        return now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(minutes - 1L));
    }

    /** Adds up each occurrence in its minute; those before the window or after {@code now}'s minute are left out. */
    public static List<Minute> count(List<Occurrence> occurrences, Instant now, int minutes) {
        if (minutes < 1) {
            throw new IllegalArgumentException("minutes must be at least 1");
        }
        Instant first = windowStart(now, minutes);
        long[] counts = new long[minutes];
        for (Occurrence o : occurrences) {
            if (o.at().isBefore(first)) {
                continue;
            }
            long index = Duration.between(first, o.at()).toMinutes();
            if (index < minutes) {
                counts[(int) index] += o.weight();
            }
        }
        List<Minute> result = new ArrayList<>(minutes);
        for (int i = 0; i < minutes; i++) {
            result.add(new Minute(first.plus(Duration.ofMinutes(i)), counts[i]));
        }
        return result;
    }
}
