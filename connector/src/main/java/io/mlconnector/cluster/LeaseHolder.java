package io.mlconnector.cluster;

import io.mlconnector.cluster.Leases.Lease;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one lease for a job that runs in its own thread (the push stream of a route): the job asks
 * {@link #current()} before each piece of work and acts only while it returns the lease. A background thread renews
 * the lease every third of its duration, so a job busy in a long call (a POST may take a minute) keeps it.
 * When renewals fail (the store unreachable) the lease counts as lost locally a sixth of its duration before
 * it expires in the store, so this instance stops before any other may start.
 */
public final class LeaseHolder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseHolder.class);

    private final Leases leases;
    private final String name;
    private final long validNanos;
    private final long retryNanos;
    private final ScheduledExecutorService renewer;
    private volatile Lease held;
    private volatile long validUntilNanos;
    private long nextTryNanos = System.nanoTime();

    public LeaseHolder(Leases leases, String name) {
        this.leases = leases;
        this.name = name;
        Duration duration = leases.duration();
        this.validNanos = duration.minus(duration.dividedBy(6)).toNanos();
        this.retryNanos = Math.max(Duration.ofMillis(200).toNanos(), duration.dividedBy(10).toNanos());
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-" + name);
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, duration.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * The lease while this instance holds it; otherwise tries to take it (at most every tenth of its duration) and
     * returns it when that worked. Empty: another instance owns the job.
     */
    public synchronized Optional<Lease> current() {
        long now = System.nanoTime();
        Lease lease = held;
        if (lease != null && now - validUntilNanos < 0) {
            return Optional.of(lease);
        }
        if (lease != null) {
            log.warn("lease {} (token {}) could not be renewed in time; this instance stops its job", name, lease.token());
            held = null;
        }
        if (now - nextTryNanos < 0) {
            return Optional.empty();
        }
        nextTryNanos = now + retryNanos;
        try {
            Optional<Lease> taken = leases.tryAcquire(name);
            taken.ifPresent(l -> {
                validUntilNanos = now + validNanos;
                held = l;
                log.info("{} owns {} now (token {})", leases.instanceId(), name, l.token());
            });
            return taken;
        } catch (RuntimeException e) {
            log.warn("could not take lease {}: {}", name, e.toString());
            return Optional.empty();
        }
    }

    private synchronized void renew() {
        Lease lease = held;
        if (lease == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            Optional<Lease> renewed = leases.renew(lease);
            if (renewed.isPresent()) {
                held = renewed.get();
                validUntilNanos = start + validNanos;
            } else {
                log.warn("lease {} (token {}) was taken over by another instance", name, lease.token());
                held = null;
            }
        } catch (RuntimeException e) {
            log.warn("could not renew lease {}: {}", name, e.toString()); // still ours until validUntil
        }
    }

    /** Stops renewing and gives the lease up, so another instance takes the job at once. */
    @Override
    public void close() {
        renewer.shutdownNow();
        Lease lease = held;
        held = null;
        if (lease != null) {
            try {
                leases.release(lease);
            } catch (RuntimeException e) {
                log.warn("could not release lease {}: {}", name, e.toString()); // it expires by itself
            }
        }
    }
}
