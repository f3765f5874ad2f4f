package io.mlconnector.sim.powerbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The documented quota windows (reference §4, §5), on explicit instants: no clock, no sleeping. */
class DatasetQuotaTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final DatasetQuota quota = new DatasetQuota(PushLimits.DOCUMENTED);

    @Test
    void the121stPostWithinAMinuteWaitsUntilTheFirstLeavesTheWindow() {
        for (int i = 0; i < 120; i++) {
            Instant at = T0.plusMillis(250L * i); // 120 posts over 29.75 s
            assertThat(quota.check(at, 1, false)).isEmpty();
            quota.record(at, 1);
        }
        Instant now = T0.plusSeconds(30);

        DatasetQuota.Refusal refusal = quota.check(now, 1, false).orElseThrow();

        assertThat(refusal.delay()).isEqualTo(Duration.ofSeconds(30)); // the first post (T0) leaves at T0 + 60 s
        assertThat(refusal.retryAfterSeconds()).isEqualTo(30);
        assertThat(refusal.message()).contains("120 POST rows requests per minute");
        assertThat(quota.check(T0.plusSeconds(60).minusNanos(1), 1, false)).isPresent();
        assertThat(quota.check(T0.plusSeconds(60), 1, false)).isEmpty();
    }

    @Test
    void retryAfterIsRoundedUpToWholeSecondsAndNeverZero() {
        assertThat(new DatasetQuota.Refusal(Duration.ofMillis(29_001), "").retryAfterSeconds()).isEqualTo(30);
        assertThat(new DatasetQuota.Refusal(Duration.ofMillis(1), "").retryAfterSeconds()).isEqualTo(1);
        assertThat(new DatasetQuota.Refusal(Duration.ZERO, "").retryAfterSeconds()).isEqualTo(1);
        assertThat(new DatasetQuota.Refusal(Duration.ofSeconds(7), "").retryAfterSeconds()).isEqualTo(7);
    }

    @Test
    void aMillionRowsPerRollingHour() {
        // 100 posts of 10,000 rows, one every 30 s (well under 120/min): exactly 1,000,000 rows.
        for (int i = 0; i < 100; i++) {
            Instant at = T0.plusSeconds(30L * i);
            assertThat(quota.check(at, 10_000, false)).as("post %d", i).isEmpty();
            quota.record(at, 10_000);
        }
        Instant now = T0.plusSeconds(3000);

        DatasetQuota.Refusal refusal = quota.check(now, 1, false).orElseThrow();

        // One more row needs the first 10,000-row post (T0) to leave the hour: at T0 + 3600 s.
        assertThat(refusal.retryAfterSeconds()).isEqualTo(600);
        assertThat(refusal.message()).startsWith("You are over your rows per hour limit for this dataset.");
        // 20,001 rows need the first three posts to leave: the third was at T0 + 60 s.
        assertThat(quota.check(now, 20_001, false).orElseThrow().retryAfterSeconds()).isEqualTo(660);
        assertThat(quota.check(T0.plusSeconds(3600), 10_000, false)).isEmpty();
    }

    @Test
    void onlyOneHundredTwentyPostsPerHourOnceATableIsLarge() {
        for (int i = 0; i < 120; i++) {
            Instant at = T0.plusSeconds(10L * i); // 120 posts over 1,190 s, 6 per minute
            quota.record(at, 1);
        }
        Instant now = T0.plusSeconds(1200);

        assertThat(quota.check(now, 1, false)).as("small tables: only the per-minute rule").isEmpty();
        DatasetQuota.Refusal refusal = quota.check(now, 1, true).orElseThrow();

        assertThat(refusal.retryAfterSeconds()).isEqualTo(2400); // T0 + 3600 s - (T0 + 1200 s)
        assertThat(refusal.message()).contains("250000 rows or more");
    }

    @Test
    void theLongestWaitWinsWhenSeveralWindowsAreFull() {
        for (int i = 0; i < 120; i++) {
            quota.record(T0.plusMillis(100L * i), 1); // 120 posts within 12 s
        }
        Instant now = T0.plusSeconds(20);

        DatasetQuota.Refusal refusal = quota.check(now, 1, true).orElseThrow();

        assertThat(refusal.retryAfterSeconds()).isEqualTo(3580); // hour window, not the minute window's 40 s
    }

    @Test
    void refusedRequestsDoNotCount() {
        for (int i = 0; i < 120; i++) {
            quota.record(T0, 1);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(quota.check(T0.plusSeconds(1), 1, false)).isPresent(); // refused, not recorded
        }
        assertThat(quota.check(T0.plusSeconds(60), 1, false)).isEmpty();
    }

    @Test
    void aRequestOfTheWholeHourlyBudgetFitsAnEmptyHourButOneMoreRowNeverDoes() {
        DatasetQuota small = new DatasetQuota(PushLimits.DOCUMENTED.withRowsPerHour(10));

        assertThat(small.check(T0, 10, false)).isEmpty();
        assertThatThrownBy(() -> small.check(T0, 11, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("can never fit");
    }
}
