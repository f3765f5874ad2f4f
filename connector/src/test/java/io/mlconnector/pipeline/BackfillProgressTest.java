package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.sim.common.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillProgressTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    private final List<String> lines = new ArrayList<>();
    private final BackfillProgress progress = new BackfillProgress("ACM123", clock, Duration.ofSeconds(5), lines::add);

    @Test
    void oneLineEveryFewSecondsWithTotalsAcrossListingsAndTheRate() {
        progress.accept(new Sweeper.Progress("ACM123", ObjectType.CLIENT, false, 1, 2, 100, 100));
        clock.advance(Duration.ofSeconds(2));
        progress.accept(new Sweeper.Progress("ACM123", ObjectType.CLIENT, false, 2, 2, 150, 150));
        assertThat(lines).isEmpty(); // not five seconds yet

        clock.advance(Duration.ofSeconds(3));
        progress.accept(new Sweeper.Progress("ACM123", ObjectType.INVOICE, false, 1, 3, 100, 250));

        assertThat(lines).containsExactly(
                "backfill ACM123: 250 records fetched, 400 rows queued, 50 records/s; now invoice page 1/3");

        clock.advance(Duration.ofSeconds(1));
        progress.accept(new Sweeper.Progress("ACM123", ObjectType.INVOICE, false, 2, 3, 200, 500));
        assertThat(lines).hasSize(1);

        clock.advance(Duration.ofSeconds(4));
        progress.finished(null);

        assertThat(lines).last().isEqualTo("backfill ACM123 done: 350 records fetched, 650 rows queued in 10.0 s"
                + " (35 records/s); mlc status shows the rows reaching Power BI");
        assertThat(progress.records()).isEqualTo(350);
    }

    @Test
    void aFailureSaysWhatStoppedItAndHowToResume() {
        progress.accept(new Sweeper.Progress("ACM123", ObjectType.CLIENT, false, 1, 1, 10, 10));
        clock.advance(Duration.ofSeconds(1));

        progress.finished(new IllegalStateException("FreshBooks answered 503"));

        assertThat(lines).containsExactly("backfill ACM123 stopped: 10 records fetched, 10 rows queued in 1.0 s (10 records/s)"
                + " by IllegalStateException: FreshBooks answered 503; mlc replay --tenant ACM123 reads everything again");
    }
}
