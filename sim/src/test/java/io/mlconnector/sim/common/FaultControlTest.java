package io.mlconnector.sim.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Parsing fault rules posted to {@code /sim/faults}. */
class FaultControlTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private static FaultInjector.Rule parse(String json) {
        return FaultControl.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void aThrottleRuleWithAWindowRelativeToNow() {
        FaultInjector.Rule rule = parse("""
                {"kind":"THROTTLE","share":0.5,"fromSeconds":10,"untilSeconds":70,"pathContains":"/rows",
                 "retryAfterSeconds":30}""");

        assertThat(rule).isEqualTo(new FaultInjector.Rule(FaultInjector.Kind.THROTTLE, 0.5, NOW.plusSeconds(10),
                NOW.plusSeconds(70), "/rows", 429, 30, Duration.ZERO));
    }

    @Test
    void defaultsAreEveryRequestAlwaysOnEveryPath() {
        assertThat(parse("{\"kind\":\"throttle\"}"))
                .isEqualTo(new FaultInjector.Rule(FaultInjector.Kind.THROTTLE, 1.0, null, null, null, 429, 1, Duration.ZERO));
        assertThat(parse("{\"kind\":\"SERVER_ERROR\"}").status()).isEqualTo(500);
        assertThat(parse("{\"kind\":\"SERVER_ERROR\",\"status\":503,\"untilSeconds\":5}"))
                .isEqualTo(new FaultInjector.Rule(FaultInjector.Kind.SERVER_ERROR, 1.0, null, NOW.plusSeconds(5), null,
                        503, 0, Duration.ZERO));
        assertThat(parse("{\"kind\":\"LATENCY\",\"latencyMillis\":250,\"fromSeconds\":null}").latency())
                .isEqualTo(Duration.ofMillis(250));
        assertThat(parse("{\"kind\":\"LATENCY\",\"latencyMillis\":250,\"fromSeconds\":-1.5}").from())
                .isEqualTo(NOW.minusMillis(1500));
    }

    @Test
    void refusesWhatCannotBeARule() {
        assertRefused("not json", "not valid JSON");
        assertRefused("[1]", "JSON object");
        assertRefused("{}", "kind is required");
        assertRefused("{\"kind\":\"HOLD\"}", "kind must be THROTTLE, SERVER_ERROR or LATENCY");
        assertRefused("{\"kind\":\"THROTTLE\",\"retry\":3}", "Unknown fields [retry]");
        assertRefused("{\"kind\":\"THROTTLE\",\"share\":1.5}", "share must be between 0 and 1");
        assertRefused("{\"kind\":\"THROTTLE\",\"share\":\"all\"}", "share must be a number");
        assertRefused("{\"kind\":\"THROTTLE\",\"status\":503}", "answers 429");
        assertRefused("{\"kind\":\"THROTTLE\",\"retryAfterSeconds\":-1}", "must not be negative");
        assertRefused("{\"kind\":\"THROTTLE\",\"latencyMillis\":5}", "latencyMillis does not apply");
        assertRefused("{\"kind\":\"SERVER_ERROR\",\"status\":404}", "500 to 599");
        assertRefused("{\"kind\":\"SERVER_ERROR\",\"retryAfterSeconds\":3}", "does not apply");
        assertRefused("{\"kind\":\"LATENCY\"}", "needs latencyMillis");
        assertRefused("{\"kind\":\"LATENCY\",\"latencyMillis\":60000}", "from 1 to 30000");
        assertRefused("{\"kind\":\"LATENCY\",\"latencyMillis\":1.5}", "whole number");
        assertRefused("{\"kind\":\"LATENCY\",\"latencyMillis\":5,\"status\":200}", "status does not apply");
        assertRefused("{\"kind\":\"THROTTLE\",\"fromSeconds\":60,\"untilSeconds\":60}", "after fromSeconds");
        assertRefused("{\"kind\":\"THROTTLE\",\"pathContains\":\"\"}", "non-empty string");
    }

    @Test
    void rulesRenderWithAbsoluteTimes() {
        FaultInjector.Rule rule = parse("{\"kind\":\"THROTTLE\",\"fromSeconds\":10,\"retryAfterSeconds\":7}");

        assertThat(FaultControl.json(rule)).containsEntry("kind", "THROTTLE").containsEntry("from", "2026-03-01T10:00:10Z")
                .containsEntry("until", null).containsEntry("status", 429).containsEntry("retryAfterSeconds", 7)
                .doesNotContainKey("latencyMillis");
    }

    @Test
    void powerBiKindsAndACountLimit() {
        assertThat(parse("{\"kind\":\"accept_then_drop\",\"pathContains\":\"/rows\",\"times\":1}"))
                .isEqualTo(FaultInjector.Rule.acceptThenDrop().onPathsContaining("/rows").times(1));
        assertThat(parse("{\"kind\":\"ACCEPT_THEN_HANG\",\"latencyMillis\":2000}"))
                .isEqualTo(FaultInjector.Rule.acceptThenHang(Duration.ofSeconds(2)));
        assertThat(parse("{\"kind\":\"UNAUTHORIZED_SWITCH\"}")).isEqualTo(FaultInjector.Rule.unauthorizedSwitch());
        assertThat(parse("{\"kind\":\"FORBIDDEN\",\"times\":2}")).isEqualTo(FaultInjector.Rule.forbidden().times(2));
        assertThat(parse("{\"kind\":\"BAD_VALUE\"}").status()).isEqualTo(400);
        assertThat(FaultControl.json(parse("{\"kind\":\"ACCEPT_THEN_HANG\",\"latencyMillis\":2000,\"times\":3}")))
                .containsEntry("latencyMillis", 2000L).containsEntry("times", 3);

        assertRefused("{\"kind\":\"ACCEPT_THEN_HANG\"}", "ACCEPT_THEN_HANG rule needs latencyMillis");
        assertRefused("{\"kind\":\"ACCEPT_THEN_DROP\",\"latencyMillis\":5}", "does not apply");
        assertRefused("{\"kind\":\"FORBIDDEN\",\"status\":401}", "does not apply");
        assertRefused("{\"kind\":\"BAD_VALUE\",\"times\":0}", "at least 1");
    }

    @Test
    void aCountLimitedRuleHitsOnlyTheNextMatchingRequestsAndOtherKindsDoNotUseItUp() {
        FaultInjector faults = new FaultInjector(java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC), 1);
        faults.add(FaultInjector.Rule.acceptThenDrop().onPathsContaining("/rows").times(2));

        assertThat(faults.decide("/x/rows")).as("classic decide skips Power BI kinds").isEmpty();
        assertThat(faults.decide("/x/rows", java.util.EnumSet.allOf(FaultInjector.Kind.class))).isPresent();
        assertThat(faults.decide("/x/tables", java.util.EnumSet.allOf(FaultInjector.Kind.class))).isEmpty();
        assertThat(faults.decide("/x/rows", java.util.EnumSet.allOf(FaultInjector.Kind.class))).isPresent();
        assertThat(faults.decide("/x/rows", java.util.EnumSet.allOf(FaultInjector.Kind.class))).isEmpty();
        assertThat(faults.hits()).containsExactly(2);
    }
}
