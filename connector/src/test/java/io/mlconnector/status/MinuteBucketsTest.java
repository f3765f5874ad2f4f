package io.mlconnector.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.status.MinuteBuckets.Minute;
import io.mlconnector.status.MinuteBuckets.Occurrence;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinuteBucketsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:15:42Z");

    @Test
    void theWindowEndsWithTheMinuteHoldingNow() {
        assertThat(MinuteBuckets.windowStart(NOW, 60)).isEqualTo(Instant.parse("2026-03-01T09:16:00Z"));
        assertThat(MinuteBuckets.windowStart(NOW, 1)).isEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
    }

    @Test
    void eachOccurrenceCountsItsWeightInItsMinute() {
        List<Minute> minutes = MinuteBuckets.count(List.of(
                new Occurrence(Instant.parse("2026-03-01T10:12:00Z"), 1),     // first instant of the window
                new Occurrence(Instant.parse("2026-03-01T10:12:59.999Z"), 1),
                new Occurrence(Instant.parse("2026-03-01T10:13:30Z"), 250),   // a batch of 250 rows
                new Occurrence(Instant.parse("2026-03-01T10:15:42Z"), 2),     // now: the last bucket
                new Occurrence(Instant.parse("2026-03-01T10:11:59.999Z"), 7), // before the window
                new Occurrence(Instant.parse("2026-03-01T10:16:00Z"), 9)),    // after now's minute
                NOW, 4);

        assertThat(minutes).containsExactly(
                new Minute(Instant.parse("2026-03-01T10:12:00Z"), 2),
                new Minute(Instant.parse("2026-03-01T10:13:00Z"), 250),
                new Minute(Instant.parse("2026-03-01T10:14:00Z"), 0),
                new Minute(Instant.parse("2026-03-01T10:15:00Z"), 2));
    }

    @Test
    void nothingHappenedIsAnHourOfZeros() {
        List<Minute> minutes = MinuteBuckets.count(List.of(), NOW, 60);
        assertThat(minutes).hasSize(60).allSatisfy(m -> assertThat(m.count()).isZero());
        assertThat(minutes.get(59).start()).isEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
    }

    @Test
    void aWindowNeedsAMinute() {
        assertThatThrownBy(() -> MinuteBuckets.count(List.of(), NOW, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
