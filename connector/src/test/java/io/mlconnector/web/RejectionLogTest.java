package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A flood of refusals writes one line per reason per window, then says how many it left out. */
class RejectionLogTest {

    private Instant now = Instant.parse("2026-12-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    @Test
    void oneLinePerReasonPerWindow() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.mlconnector.test.RejectionLogTest");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        RejectionLog log = new RejectionLog(logger, clock, Duration.ofMinutes(1));

        for (int i = 0; i < 1500; i++) {
            log.rejected(401, "bad_signature", "abcdef…");
        }
        log.rejected(404, "unknown_token", "zzzzzz…");
        now = now.plusSeconds(60);
        log.rejected(401, "bad_signature", "abcdef…");

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Webhook rejected: 401 bad_signature (callback abcdef…)",
                "Webhook rejected: 404 unknown_token (callback zzzzzz…)",
                "Webhook rejected: 401 bad_signature (callback abcdef…); 1499 more with this reason since the last such line");
    }
}
