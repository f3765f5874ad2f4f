package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryBackoffTest {
    private final RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(500), Duration.ofSeconds(60), new Random(7));

    @ParameterizedTest
    @CsvSource({"1, 500", "2, 1000", "3, 2000", "8, 60000", "40, 60000"})
    void ceilingDoublesUpToTheCap(int attempt, long expectedMillis) {
        assertThat(backoff.ceilingAfter(attempt)).isEqualTo(Duration.ofMillis(expectedMillis));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 9, 20})
    void delayIsBetweenZeroAndTheCeiling(int attempt) {
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delayAfter(attempt)).isBetween(Duration.ZERO, backoff.ceilingAfter(attempt));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 6})
    void delaysAreSpreadNotFixed(int attempt) {
        long distinct = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> backoff.delayAfter(attempt)).distinct().count();
        assertThat(distinct).isGreaterThan(100);
    }
}
