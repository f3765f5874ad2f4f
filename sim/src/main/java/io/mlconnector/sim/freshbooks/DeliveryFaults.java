package io.mlconnector.sim.freshbooks;

import java.time.Duration;

/**
 * Switches for webhook delivery, changeable while running. Defaults: no latency, nothing dropped, duplicated or
 * reordered, and no redelivery after a failed attempt (FreshBooks' retry policy is unknown, reference §3.7, so the
 * strict reading is that a failed delivery is lost; {@link #retries} turns on bounded exponential redelivery).
 */
public final class DeliveryFaults {

    private volatile Duration latency = Duration.ZERO;
    private volatile double dropShare;
    private volatile double duplicateShare;
    private volatile int reorderWindow;
    private volatile Duration reorderMaxHold = Duration.ofSeconds(2);
    private volatile int maxAttempts = 1;
    private volatile Duration initialBackoff = Duration.ofSeconds(1);
    private volatile Duration timeout = Duration.ofSeconds(10);

    /** Wait this long before each delivery. */
    public DeliveryFaults latency(Duration d) {
        latency = d;
        return this;
    }

    /** Share (0..1) of events never delivered. */
    public DeliveryFaults dropShare(double share) {
        dropShare = share;
        return this;
    }

    /** Share (0..1) of events delivered twice in a row. */
    public DeliveryFaults duplicateShare(double share) {
        duplicateShare = share;
        return this;
    }

    /**
     * Hold deliveries until {@code window} are waiting (or the oldest has waited {@code maxHold}), then send them in
     * a shuffled order. 0 or 1 = in order.
     */
    public DeliveryFaults reorder(int window, Duration maxHold) {
        reorderWindow = window;
        reorderMaxHold = maxHold;
        return this;
    }

    /** Up to {@code attempts} tries in all; the n-th retry waits {@code initialBackoff × 2^(n-1)}. */
    public DeliveryFaults retries(int attempts, Duration initialBackoff) {
        this.maxAttempts = Math.max(1, attempts);
        this.initialBackoff = initialBackoff;
        return this;
    }

    /** How long to wait for the receiver's answer (non-official AsyncAPI: 10 s). */
    public DeliveryFaults timeout(Duration d) {
        timeout = d;
        return this;
    }

    public DeliveryFaults reset() {
        latency = Duration.ZERO;
        dropShare = 0;
        duplicateShare = 0;
        reorderWindow = 0;
        reorderMaxHold = Duration.ofSeconds(2);
        maxAttempts = 1;
        initialBackoff = Duration.ofSeconds(1);
        timeout = Duration.ofSeconds(10);
        return this;
    }

    Duration latency() {
        return latency;
    }

    double dropShare() {
        return dropShare;
    }

    double duplicateShare() {
        return duplicateShare;
    }

    int reorderWindow() {
        return reorderWindow;
    }

    Duration reorderMaxHold() {
        return reorderMaxHold;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    Duration backoffBefore(int attempt) {
        return initialBackoff.multipliedBy(1L << Math.min(20, attempt - 2));
    }

    Duration timeout() {
        return timeout;
    }
}
