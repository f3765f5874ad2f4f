package io.mlconnector.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Callback tokens the store did not know, remembered for a while, so a flood of guessed or stale webhook URLs
 * is answered 404 without a database query each. Tokens are random and made before FreshBooks learns them, so
 * a token remembered as unknown does not become valid in the meantime.
 */
final class UnknownTokens {

    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final ConcurrentMap<String, Instant> expiries = new ConcurrentHashMap<>();

    UnknownTokens(Clock clock, Duration ttl, int capacity) {
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
    }

    boolean isKnownUnknown(String token) {
        Instant expiry = expiries.get(token);
        if (expiry == null) {
            return false;
        }
        if (clock.instant().isBefore(expiry)) {
            return true;
        }
        expiries.remove(token, expiry);
        return false;
    }

    void remember(String token) {
        if (expiries.size() >= capacity) {
            expiries.clear(); // a flood of distinct tokens: start over rather than grow without bound
        }
        expiries.put(token, clock.instant().plus(ttl));
    }
}
