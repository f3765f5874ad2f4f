package io.mlconnector.pipeline;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (a random wait between zero and the exponential ceiling), used
 * when a failure carries no {@code Retry-After}. Full jitter spreads retries of many batches apart.
 */
public final class RetryBackoff {
    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;

    public RetryBackoff(Duration base, Duration cap, RandomGenerator random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} (≥ 1) failed attempts. */
    public Duration delayAfter(int attempt) {
        return Duration.ofMillis(random.nextLong(ceilingAfter(attempt).toMillis() + 1));
    }

    /** The upper bound of {@link #delayAfter}: base × 2^(attempt−1), at most the cap. */
    public Duration ceilingAfter(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long millis = base.toMillis() << doublings;
        return millis <= 0 || millis > cap.toMillis() ? cap : Duration.ofMillis(millis);
    }
}
