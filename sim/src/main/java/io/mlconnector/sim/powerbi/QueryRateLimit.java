package io.mlconnector.sim.powerbi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Execute Queries' own limit (reference powerbi-api.md §8): 120 query requests per minute per caller, a rolling
 * window on the simulator's clock. Over it: 429 with Retry-After = whole seconds until the oldest request leaves.
 */
final class QueryRateLimit {
    static final int PER_MINUTE = 120;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final Map<String, Deque<Instant>> admitted = new HashMap<>();

    /** Counts the request, or refuses it (uncounted) with 429. */
    synchronized void admit(String appId, Instant now) {
        Deque<Instant> window = admitted.computeIfAbsent(appId, id -> new ArrayDeque<>());
        while (!window.isEmpty() && !window.peekFirst().isAfter(now.minus(MINUTE))) {
            window.removeFirst();
        }
        if (window.size() >= PER_MINUTE) {
            Duration wait = Duration.between(now, window.peekFirst().plus(MINUTE));
            long seconds = Math.max(1, wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0));
            // Wording of the captured generic throttle answer (§5).
            throw PowerBiApiException.tooManyRequests(seconds, "You have exceeded the amount of requests allowed in the"
                    + " current time frame and further requests will fail. Retry in " + seconds + " seconds.");
        }
        window.addLast(now);
    }
}
