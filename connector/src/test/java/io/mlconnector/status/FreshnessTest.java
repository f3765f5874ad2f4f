package io.mlconnector.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.status.Freshness.Sample;
import io.mlconnector.status.Freshness.Summary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    private static Sample sample(long receivedMs, long acceptedMs, long rows) {
        return new Sample(T.plusMillis(receivedMs), T.plusMillis(acceptedMs), rows);
    }

    @Test
    void percentilesAreByRowsNearestRank() {
        // 100 rows: 90 took 1 s, 5 took 2 s, 4 took 10 s, 1 took 60 s.
        Summary summary = Freshness.summarize(List.of(
                sample(0, 1_000, 90), sample(5_000, 7_000, 5), sample(10_000, 20_000, 4), sample(0, 60_000, 1)));

        assertThat(summary.rows()).isEqualTo(100);
        assertThat(summary.p50()).isEqualTo(Duration.ofSeconds(1));
        assertThat(summary.p95()).isEqualTo(Duration.ofSeconds(2));  // rank 95: the last of the 2 s rows
        assertThat(summary.max()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void p95FallsOnTheNextRowOnceTheRankPassesIt() {
        // 20 rows, one a minute each slower: rank ceil(0.95 × 20) = 19, rank ceil(0.5 × 20) = 10.
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            samples.add(sample(0, i * 1_000L, 1));
        }
        Summary summary = Freshness.summarize(samples);
        assertThat(summary.p50()).isEqualTo(Duration.ofSeconds(10));
        assertThat(summary.p95()).isEqualTo(Duration.ofSeconds(19));
        assertThat(summary.max()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void lastIsTheSlowestRowOfTheLatestAcceptance() {
        Summary summary = Freshness.summarize(List.of(
                sample(0, 30_000, 3),       // slow, but earlier
                sample(39_000, 40_000, 2),  // the latest batch: rows received 1 s
                sample(37_500, 40_000, 1),  // and 2.5 s before it
                sample(10_000, 12_000, 4)));
        assertThat(summary.last()).isEqualTo(Duration.ofMillis(2_500));
        assertThat(summary.lastAcceptedAt()).isEqualTo(T.plusSeconds(40));
    }

    @Test
    void anInstanceClockAheadCountsAsNoDelayNotANegativeOne() {
        assertThat(sample(2_000, 1_000, 1).delay()).isEqualTo(Duration.ZERO);
    }

    @Test
    void noRowsNoFigures() {
        assertThat(Freshness.summarize(List.of(sample(0, 1_000, 0))))
                .isEqualTo(new Summary(0, null, null, null, null, null));
    }
}
