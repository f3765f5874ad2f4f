package io.mlconnector.freshbooks;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OAuth {@code state} values this instance handed out, each usable once within ten minutes, so a
 * redirect to our callback that we did not start (a forged link) connects nothing. Kept in memory: the
 * browser comes back to the instance that sent it away (a cluster needs sticky sessions or a shared table).
 */
public final class OAuthStates {
    static final Duration LIFETIME = Duration.ofMinutes(10);

    private final Clock clock;
    private final SecureRandom random;
    private final Map<String, Instant> issued = new ConcurrentHashMap<>();

    public OAuthStates(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    public String issue() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        issued.values().removeIf(expiry -> expiry.isBefore(now));
        issued.put(state, now.plus(LIFETIME));
        return state;
    }

    /** True once for a state we issued that has not expired. */
    public boolean consume(String state) {
        Instant expiry = state == null ? null : issued.remove(state);
        return expiry != null && !clock.instant().isAfter(expiry);
    }
}
