package io.mlconnector.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;

/**
 * Logs refused webhooks at most once per reason per window, with how many were left out: one client must not
 * be able to write thousands of lines a second. Every refusal is still counted in {@code webhook_rejected}.
 */
final class RejectionLog {

    private final Logger log;
    private final Clock clock;
    private final Duration window;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    RejectionLog(Logger log, Clock clock, Duration window) {
        this.log = log;
        this.clock = clock;
        this.window = window;
    }

    private static final class Window {
        Instant start;
        long suppressed;
    }

    void rejected(int status, String reason, String shortToken) {
        Instant now = clock.instant();
        long suppressed;
        Window w = windows.computeIfAbsent(reason, r -> new Window());
        synchronized (w) {
            if (w.start != null && now.isBefore(w.start.plus(window))) {
                w.suppressed++;
                return;
            }
            suppressed = w.suppressed;
            w.start = now;
            w.suppressed = 0;
        }
        log.warn("Webhook rejected: {} {} (callback {}){}", status, reason, shortToken,
                suppressed == 0 ? "" : "; " + suppressed + " more with this reason since the last such line");
    }
}
