package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.pipeline.BatchTiming.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a table's unbatched rows become a batch: live rows at once, background rows when waiting no longer pays. */
class BatchTimingTest {
    private static final int MAX_ROWS = 10_000;
    private static final long MAX_BYTES = 15_000_000;
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static Instant ago(long millis) {
        return NOW.minusMillis(millis);
    }

    /** Rows of a background listing, the oldest written {@code oldestMs} ago and the newest {@code newestMs} ago. */
    private static Waiting background(long rows, long oldestMs, long newestMs) {
        return new Waiting(0, rows, rows * 500, ago(oldestMs), ago(newestMs));
    }

    static Stream<Arguments> formedNow() {
        return Stream.of(
                Arguments.of("one live row", new Waiting(1, 0, 0, null, null)),
                Arguments.of("a live row beside a backfill still coming in",
                        new Waiting(1, 4_000, 2_000_000, ago(5_000), ago(10))),
                Arguments.of("a whole batch of background rows, the backfill still coming in", background(10_000, 5_000, 0)),
                Arguments.of("more than a batch", background(25_000, 5_000, 0)),
                Arguments.of("fewer rows than a batch but its bytes",
                        new Waiting(0, 3_000, MAX_BYTES, ago(5_000), ago(0))),
                Arguments.of("nothing came for the linger: the listing ended", background(700, 9_000, 2_000)),
                Arguments.of("nothing came for longer than the linger", background(700, 9_000, 5_000)),
                Arguments.of("the oldest row waited its most, though rows still come", background(9_000, 60_000, 0)),
                Arguments.of("the oldest row waited longer than its most", background(9_000, 300_000, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formedNow")
    void formedNow(String why, Waiting waiting) {
        assertThat(BatchTiming.waitUntil(waiting, MAX_ROWS, MAX_BYTES, NOW)).as(why).isEmpty();
    }

    static Stream<Arguments> waiting() {
        return Stream.of(
                Arguments.of("a backfill still coming in: until the newest row's linger",
                        background(4_000, 5_000, 100), ago(100).plus(BatchTiming.LINGER)),
                Arguments.of("one row just written", background(1, 0, 0), NOW.plus(BatchTiming.LINGER)),
                Arguments.of("one row short of a batch", background(MAX_ROWS - 1, 1_000, 0), NOW.plus(BatchTiming.LINGER)),
                Arguments.of("rows still coming, the oldest near its most: until the oldest's most",
                        background(9_000, 59_000, 0), ago(59_000).plus(BatchTiming.MAX_WAIT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("waiting")
    void waitsUntil(String why, Waiting waiting, Instant until) {
        assertThat(BatchTiming.waitUntil(waiting, MAX_ROWS, MAX_BYTES, NOW)).as(why).contains(until);
    }

    @Test
    void aRowArrivingEveryHalfSecondIsBatchedOnceItsOldestWaitedItsMost() {
        Instant first = NOW;
        Instant formed = null;
        long rows = 0;
        for (Instant t = first; formed == null; t = t.plusMillis(500)) {
            rows++;
            Optional<Instant> wait = BatchTiming.waitUntil(new Waiting(0, rows, rows * 500, first, t), MAX_ROWS, MAX_BYTES, t);
            if (wait.isEmpty()) {
                formed = t;
            }
        }
        assertThat(Duration.between(first, formed)).isEqualTo(BatchTiming.MAX_WAIT);
    }
}
