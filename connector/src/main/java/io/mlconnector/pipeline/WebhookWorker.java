package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.FreshBooksException;
import io.mlconnector.freshbooks.InvalidGrantException;
import io.mlconnector.pipeline.InboxQueue.DueRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns due inbox events into outbox rows: for each record with pending events, fetch it once, map it,
 * diff it against the ledger, and commit the rows together with marking those events processed.
 * Records are spread over lanes by key, so one record is never processed twice at once, while
 * different records proceed in parallel. A failed fetch leaves the events in the inbox and retries the
 * record later with backoff.
 */
public final class WebhookWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookWorker.class);

    private final InboxQueue queue;
    private final RecordFetcher fetcher;
    private final RecordApplier applier;
    private final String route;
    private final Clock clock;
    private final RetryBackoff backoff;
    private final ExecutorService[] lanes;
    private final ScheduledExecutorService dispatcher;
    private final Set<RecordKey> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<RecordKey, Integer> failures = new ConcurrentHashMap<>();
    private final Map<RecordKey, Instant> retryAt = new ConcurrentHashMap<>();
    private volatile boolean closing;

    public WebhookWorker(InboxQueue queue, RecordFetcher fetcher, RecordApplier applier, String route, Clock clock,
                         RetryBackoff backoff, int laneCount) {
        this.queue = queue;
        this.fetcher = fetcher;
        this.applier = applier;
        this.route = route;
        this.clock = clock;
        this.backoff = backoff;
        this.lanes = new ExecutorService[laneCount];
        for (int i = 0; i < laneCount; i++) {
            int lane = i;
            lanes[i] = Executors.newSingleThreadExecutor(r -> daemon(r, "webhook-lane-" + lane));
        }
        this.dispatcher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "webhook-dispatch"));
    }

    public void start(Duration pollInterval) {
        dispatcher.scheduleWithFixedDelay(this::dispatchDue, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dispatchDue() {
        try {
            Instant now = clock.instant();
            for (DueRecord due : queue.due(now, 1000)) {
                RecordKey key = due.key();
                Instant notBefore = retryAt.get(key);
                if ((notBefore == null || !now.isBefore(notBefore)) && inFlight.add(key)) {
                    lanes[Math.floorMod(key.hashCode(), lanes.length)].execute(() -> {
                        try {
                            if (!closing) {
                                process(due);
                            }
                        } finally {
                            inFlight.remove(key);
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            log.warn("webhook dispatch failed, will retry: {}", e.toString());
        }
    }

    /** Fetches, maps and applies one record's pending events; false when it must be retried later. */
    boolean process(DueRecord due) {
        RecordKey key = due.key();
        try {
            FetchedRecord read = fetcher.fetch(key, null);
            applier.apply(key, route, read, "inbox:" + due.firstInboxId() + "-" + due.lastInboxId(),
                    (handle, now) -> queue.markProcessed(handle, key, due.lastInboxId(), now));
            failures.remove(key);
            retryAt.remove(key);
            return true;
        } catch (InvalidGrantException e) {
            // The tenant is marked needs_reauthorization by the token store; its events wait in the inbox.
            log.warn("tenant {} needs reauthorization; {} waits", key.tenantId(), key);
            return false;
        } catch (FreshBooksException e) {
            int attempt = failures.merge(key, 1, Integer::sum);
            Duration wait = backoff.delayAfter(attempt);
            retryAt.put(key, clock.instant().plus(wait));
            log.warn("fetching {} failed (attempt {}, status {}): {}; retrying in {} ms", key, attempt, e.status(),
                    e.getMessage(), wait.toMillis());
            return false;
        } catch (RuntimeException e) {
            int attempt = failures.merge(key, 1, Integer::sum);
            retryAt.put(key, clock.instant().plus(backoff.delayAfter(attempt)));
            log.error("applying {} failed (attempt {}); its events stay in the inbox", key, attempt, e);
            return false;
        }
    }

    /**
     * Stops dispatching and lets records in progress finish. Threads are not interrupted: an interrupt
     * inside a database call can close H2's file channel under every other connection.
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
