package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UnknownTokensTest {

    private Instant now = Instant.parse("2026-12-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    @Test
    void anUnknownTokenIsRememberedUntilItsTimeRunsOut() {
        UnknownTokens unknown = new UnknownTokens(clock, Duration.ofMinutes(1), 100);
        assertThat(unknown.isKnownUnknown("abc")).isFalse();

        unknown.remember("abc");
        now = now.plusSeconds(59);
        assertThat(unknown.isKnownUnknown("abc")).isTrue();
        now = now.plusSeconds(1);
        assertThat(unknown.isKnownUnknown("abc")).isFalse();
    }

    @Test
    void aFloodOfDistinctTokensNeverHoldsMoreThanTheCapacity() {
        UnknownTokens unknown = new UnknownTokens(clock, Duration.ofMinutes(1), 3);
        for (int i = 0; i < 10; i++) {
            unknown.remember("t" + i);
        }
        assertThat(unknown.isKnownUnknown("t9")).isTrue();
        assertThat(unknown.isKnownUnknown("t0")).isFalse();
    }
}
