package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.common.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaShaperTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    private final QuotaShaper shaper = new QuotaShaper(new QuotaShaper.Limits(3, 1_000, 2, 250_000, 3), clock);

    @Test
    void postsPerMinuteWaitForTheOldestToLeaveTheWindow() {
        for (int i = 0; i < 3; i++) {
            assertThat(shaper.waitBefore(1, 0)).isZero();
            shaper.recordPost(1);
            clock.advance(Duration.ofSeconds(10));
        }
        // posts at :00, :10, :20; now :30 → the :00 post leaves the window at 11:01:00
        assertThat(shaper.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(30));
        assertThat(shaper.waitBefore(1, 0)).isZero();
    }

    @Test
    void afterTheBurstPostsArePacedEvenly() {
        QuotaShaper paced = new QuotaShaper(new QuotaShaper.Limits(60, 1_000_000, 60, 250_000, 3), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(paced.waitBefore(1, 0)).isZero();
            paced.recordPost(1);
        }
        // 60 a minute = one a second: the fourth POST waits for the pace, not for the minute to roll over
        assertThat(paced.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(paced.waitBefore(1, 0)).isZero();
        paced.recordPost(1);
        assertThat(paced.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aNewOwnerCountsItsPredecessorsPostsOnceInWhateverOrderItLearnsThem() {
        Instant now = clock.instant();
        shaper.remember(now.minusSeconds(20), 1);
        shaper.remember(now.minusSeconds(50), 600); // out of order
        shaper.remember(now.minusSeconds(20), 1);   // the same POST again: counted once
        shaper.remember(now.minusSeconds(5), 300);
        // three POSTs in the minute: the one at -50 s leaves it in 10 s (3 a minute)
        assertThat(shaper.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        assertThat(shaper.waitBefore(1, 0)).isZero();
        // 901 rows in the hour: 100 more must wait for the 600 at -50 s to leave it
        assertThat(shaper.waitBefore(100, 0)).isEqualTo(Duration.ofMinutes(60).minusSeconds(60));
    }

    @Test
    void rowsPerHourWaitUntilEnoughRowsHaveAgedOut() {
        shaper.recordPost(600);
        clock.advance(Duration.ofMinutes(10));
        shaper.recordPost(300);
        clock.advance(Duration.ofMinutes(10));
        assertThat(shaper.waitBefore(100, 0)).isZero();
        // 900 + 200 > 1000: the first post (600 rows) must leave the hour, 40 minutes from now
        assertThat(shaper.waitBefore(200, 0)).isEqualTo(Duration.ofMinutes(40));
    }

    @Test
    void aBackfillInWholeBatchesSpendsNoMoreThanTheRowsOfAnHour() {
        // The pusher sends a backfill in batches of 10,000 rows as fast as the shaper lets it, for three hours.
        QuotaShaper powerBi = new QuotaShaper(QuotaShaper.Limits.powerBiWithHeadroom(), clock);
        java.util.List<Instant> posts = new java.util.ArrayList<>();
        Instant end = clock.instant().plus(Duration.ofHours(3));
        while (clock.instant().isBefore(end)) {
            clock.advance(powerBi.waitBefore(10_000, 0));
            powerBi.recordPost(10_000);
            posts.add(clock.instant());
        }
        for (Instant post : posts) { // every hour that ends with a POST
            long inHour = posts.stream().filter(p -> p.isAfter(post.minus(Duration.ofHours(1))) && !p.isAfter(post)).count();
            assertThat(inHour * 10_000).as("rows in the hour up to " + post).isLessThanOrEqualTo(950_000);
        }
        assertThat(posts.size() * 10_000L).as("rows in three hours").isGreaterThanOrEqualTo(3 * 950_000L - 10_000);
    }

    @Test
    void largeTableAllowsFewerPostsPerHour() {
        shaper.recordPost(1);
        clock.advance(Duration.ofMinutes(5));
        shaper.recordPost(1);
        clock.advance(Duration.ofMinutes(5));
        assertThat(shaper.waitBefore(1, 249_999)).isZero();
        assertThat(shaper.waitBefore(1, 250_000)).isEqualTo(Duration.ofMinutes(50));
    }

    @Test
    void aFreshShaperLetsAPostGoOutNowOnAClockThatTicks() {
        // A clock that moves on every read, as the system clock does: "now" must be read once per decision.
        java.time.Clock ticking = new java.time.Clock() {
            private Instant t = Instant.parse("2026-01-05T10:00:00Z");

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                t = t.plusNanos(1_000);
                return t;
            }
        };
        QuotaShaper fresh = new QuotaShaper(QuotaShaper.Limits.powerBiWithHeadroom(), ticking);
        assertThat(fresh.waitBefore(500, 0)).isZero();
        fresh.recordPost(500);
        assertThat(fresh.waitBefore(500, 0)).isZero();
    }

    @Test
    void retryAfterBlocksUntilItHasPassed() {
        shaper.blockFor(Duration.ofSeconds(17));
        assertThat(shaper.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(17));
        clock.advance(Duration.ofSeconds(16));
        assertThat(shaper.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(shaper.waitBefore(1, 0)).isZero();
    }

    @Test
    void aShorterRetryAfterDoesNotShortenAnEarlierBlock() {
        shaper.blockFor(Duration.ofSeconds(30));
        shaper.blockFor(Duration.ofSeconds(5));
        assertThat(shaper.waitBefore(1, 0)).isEqualTo(Duration.ofSeconds(30));
    }
}
