package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.FreshBooksException;
import io.mlconnector.freshbooks.InvalidGrantException;
import io.mlconnector.pipeline.InboxQueue.Claim;
import io.mlconnector.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns due inbox events into outbox rows: for each record with pending events, fetch it once, map it,
 * diff it against the ledger, and commit the rows together with marking those events processed.
 * Records are claimed in the store ({@link InboxQueue#claim}), so no two workers of a cluster process one
 * record at once; claimed records are spread over lanes by key, while different records proceed in
 * parallel. A failed fetch leaves the events in the inbox and stores when to try the record again; after
 * {@code deadLetterAfter} failures the record is dead-lettered (listed by {@code mlc status}, queued again
 * by {@code mlc replay}).
 */
public final class WebhookWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookWorker.class);
    /** Claimed records a lane may have waiting: enough to keep it busy between polls, few enough to share. */
    private static final int CLAIMS_PER_LANE = 16;
    private static final int ERROR_CHARS = 500;

    private final InboxQueue queue;
    private final Fetch fetcher;
    private final RecordApplier applier;
    private final String route;
    private final Clock clock;
    private final RetryBackoff backoff;
    private final Claims claims;
    private final ExecutorService[] lanes;
    private final ScheduledExecutorService dispatcher;
    private final Map<RecordKey, Claim> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean refillAsked = new AtomicBoolean();
    private volatile Instant renewedAt = Instant.MIN;
    private volatile boolean closing;
    /** System.nanoTime() of the latest dispatch; 0 before the first. For {@code /ready}. */
    private volatile long dispatchedAtNanos;

    /**
     * How this worker claims records.
     *
     * @param instanceId      {@code cluster.instance-id}: the claimer's name in {@code inbox_work}
     * @param lease           {@code cluster.lease-duration}: how long a claim lasts unless renewed (a killed
     *                        instance's claims are taken over after this)
     * @param deadLetterAfter {@code pipeline.dead-letter-after}: failed attempts before a record is dead-lettered
     */
    public record Claims(String instanceId, Duration lease, int deadLetterAfter) {}

    /** Reads the whole current record from FreshBooks ({@link RecordFetcher} in the service). */
    @FunctionalInterface
    public interface Fetch {
        FetchedRecord fetch(RecordKey key);
    }

    public WebhookWorker(InboxQueue queue, Fetch fetcher, RecordApplier applier, String route, Clock clock,
                         RetryBackoff backoff, Claims claims, int laneCount) {
        this.queue = queue;
        this.fetcher = fetcher;
        this.applier = applier;
        this.route = route;
        this.clock = clock;
        this.backoff = backoff;
        this.claims = claims;
        this.lanes = new ExecutorService[laneCount];
        for (int i = 0; i < laneCount; i++) {
            int lane = i;
            lanes[i] = Executors.newSingleThreadExecutor(r -> daemon(r, "webhook-lane-" + lane));
        }
        this.dispatcher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "webhook-dispatch"));
    }

    /**
     * Takes back the claims a killed previous run left ({@link InboxQueue#releaseLeftBehind}), then polls. Both in the
     * dispatcher's thread, so that start-up never waits on the store: should taking the claims back fail, they lapse
     * after the lease like any dead instance's.
     */
    public void start(Duration pollInterval) {
        dispatcher.execute(() -> {
            try {
                int left = queue.releaseLeftBehind(claims.instanceId());
                if (left > 0) {
                    log.info("released {} inbox claims a killed run left behind", left);
                }
            } catch (RuntimeException e) {
                log.warn("could not take back the inbox claims a previous run left; they lapse after the lease: {}",
                        e.toString());
            }
        });
        dispatcher.scheduleWithFixedDelay(this::dispatchDue, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the dispatcher still runs: not closing, and it dispatched within {@code within} (for {@code /ready}). */
    public boolean running(Duration within) {
        long at = dispatchedAtNanos;
        return !closing && at != 0 && System.nanoTime() - at < within.toNanos();
    }

    /** Renews this worker's claims when a third of the lease has passed, then claims as many records as lanes take. */
    void dispatchDue() {
        dispatchedAtNanos = System.nanoTime();
        refillAsked.set(false);
        try {
            Instant now = clock.instant();
            if (!now.isBefore(renewedAt.plus(claims.lease().dividedBy(3)))) {
                queue.renew(inFlight.values(), now.plus(claims.lease()));
                renewedAt = now;
            }
            int room = lanes.length * CLAIMS_PER_LANE - inFlight.size();
            if (room <= 0 || closing) {
                return;
            }
            for (Claim claim : queue.claim(claims.instanceId(), now, claims.lease(), room)) {
                RecordKey key = claim.key();
                if (inFlight.putIfAbsent(key, claim) != null) {
                    // Still in a lane here while its claim lapsed (a stalled renewal): the one in the lane goes on.
                    queue.release(claim);
                    continue;
                }
                ExecutorService lane = lanes[Math.floorMod(key.hashCode(), lanes.length)];
                Runnable work = () -> {
                    try {
                        if (closing) {
                            queue.release(claim); // another instance need not wait for the lease to lapse
                        } else {
                            process(claim);
                        }
                    } catch (RuntimeException e) { // the store failed: the claim lapses and the record is retried
                        log.warn("finishing {} failed, retried after the claim lapses: {}", key, e.toString());
                    } finally {
                        inFlight.remove(key);
                        askRefill();
                    }
                };
                try {
                    lane.execute(work);
                } catch (java.util.concurrent.RejectedExecutionException e) { // closing: the lanes stopped taking work
                    inFlight.remove(key);
                    queue.release(claim);
                }
            }
        } catch (RuntimeException e) {
            log.warn("webhook dispatch failed, will retry: {}", e.toString());
        }
    }

    /** Lanes running low claim more at once rather than at the next poll. */
    private void askRefill() {
        if (!closing && inFlight.size() <= lanes.length * CLAIMS_PER_LANE / 2 && refillAsked.compareAndSet(false, true)) {
            try {
                dispatcher.execute(this::dispatchDue);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** Fetches, maps and applies one claimed record's pending events; false when it must be retried later. */
    boolean process(Claim claim) {
        InboxQueue.DueRecord due = claim.due();
        RecordKey key = due.key();
        try {
            InboxQueue.PendingEvents covered = queue.pendingEvents(key);
            FetchedRecord read = fetcher.fetch(key);
            applier.apply(key, route, read, "inbox:" + due.firstInboxId() + "-" + due.lastInboxId(),
                    covered.firstReceivedAt(), (handle, now) -> queue.completed(handle, claim, covered.ids(), now));
            return true;
        } catch (InvalidGrantException e) {
            // Not an attempt: the token store marked the tenant needs_reauthorization, so its events wait in the
            // inbox (not due) until it is reconnected.
            queue.release(claim);
            log.warn("tenant {} needs reauthorization; {} waits", key.tenantId(), key);
            return false;
        } catch (FreshBooksException e) {
            failed(claim, e.getMessage(), null);
            return false;
        } catch (RuntimeException e) {
            if (Database.isConflict(e)) { // not an attempt: nothing was written, and the record is due again now
                queue.release(claim);
                log.info("{} met a concurrent change in the store; it is read again", key);
                return false;
            }
            failed(claim, e.toString(), e);
            return false;
        }
    }

    /** Stores the failure: the record is tried again after a backoff, or dead-lettered after the last attempt. */
    private void failed(Claim claim, String error, RuntimeException unexpected) {
        int attempt = claim.attempts() + 1;
        Instant now = clock.instant();
        String reason = oneLine(error);
        if (attempt >= claims.deadLetterAfter()) {
            queue.failed(claim, attempt, null, now, reason);
            log.error("{} dead-lettered after {} failed attempts (mlc replay --dead-letters re-queues it): {}",
                    claim.key(), attempt, reason, unexpected);
            return;
        }
        Duration wait = backoff.delayAfter(attempt);
        queue.failed(claim, attempt, now.plus(wait), null, reason);
        if (unexpected == null) {
            log.warn("fetching {} failed (attempt {}): {}; retrying in {} ms", claim.key(), attempt, reason, wait.toMillis());
        } else {
            log.error("applying {} failed (attempt {}); its events stay in the inbox", claim.key(), attempt, unexpected);
        }
    }

    /** The error as one line of at most 500 characters, for the store and the status. */
    static String oneLine(String error) {
        String line = error == null ? "unknown error" : error.replaceAll("\\s+", " ").strip();
        return line.length() <= ERROR_CHARS ? line : line.substring(0, ERROR_CHARS - 1) + "…";
    }

    /**
     * Stops dispatching and lets records in progress finish; claims still waiting in a lane are released.
     * Threads are not interrupted: an interrupt inside a database call can close H2's file channel under every
     * other connection.
     */
    @Override
    public void close() {
        closing = true;
        dispatcher.shutdown();
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        try {
            dispatcher.awaitTermination(10, TimeUnit.SECONDS);
            for (ExecutorService lane : lanes) {
                lane.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
