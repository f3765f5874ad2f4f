package io.mlconnector.store;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for webhook deliveries (DESIGN §5): one writer thread takes whatever events are waiting
 * (no timer, no linger), inserts them in one transaction, commits, forces the commit to disk, and only then
 * completes their futures. Under load one fsync serves many requests; when idle, an event waits for nothing.
 */
public final class InboxWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InboxWriter.class);
    private static final Pending STOP = new Pending(null, null);

    private final Database database;
    private final InboxRepository inbox;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final DistributionSummary batchSizes;
    private final Timer commitTimer;
    private volatile boolean closed;

    private record Pending(InboxEvent event, CompletableFuture<Void> stored) {}

    /** @param maxBatch most events in one transaction (bounds the transaction's size under a flood) */
    public InboxWriter(Database database, InboxRepository inbox, MeterRegistry meters, int maxBatch) {
        this.database = database;
        this.inbox = inbox;
        this.maxBatch = maxBatch;
        this.batchSizes = DistributionSummary.builder("inbox_group_commit_batch_size")
                .description("Webhook events per group commit").register(meters);
        this.commitTimer = Timer.builder("inbox_group_commit_seconds")
                .description("Insert, commit and force to disk of one group").register(meters);
        this.thread = new Thread(this::run, "inbox-writer");
        this.thread.setDaemon(true);
    }

    public InboxWriter start() {
        thread.start();
        return this;
    }

    /**
     * Queues the event; the future completes once it is on disk, or fails if the store failed (then nothing
     * of its group was stored). A caller that stops waiting should cancel the future: a cancelled event not
     * yet taken is skipped.
     */
    public CompletableFuture<Void> submit(InboxEvent event) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        if (closed) {
            stored.completeExceptionally(new IllegalStateException("inbox writer is closed"));
        } else {
            queue.add(new Pending(event, stored));
        }
        return stored;
    }

    private void run() {
        List<Pending> group = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(group, maxBatch - 1);
            stopping = group.remove(STOP);
            write(group);
            group.clear();
        }
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.remove(STOP);
        write(rest);
    }

    private void write(List<Pending> group) {
        List<Pending> live = group.stream().filter(p -> !p.stored().isDone()).toList();
        if (live.isEmpty()) {
            return;
        }
        try {
            commitTimer.record(() -> database.jdbi().useHandle(handle -> {
                handle.useTransaction(tx -> inbox.insertBatch(tx, live.stream().map(Pending::event).toList()));
                database.dialect().forceToDisk(handle);
            }));
            batchSizes.record(live.size());
            live.forEach(p -> p.stored().complete(null));
        } catch (RuntimeException e) {
            log.error("Group commit of {} webhook events failed; they were answered 503 ({})", live.size(), e.toString());
            live.forEach(p -> p.stored().completeExceptionally(e));
        }
    }

    /** Stops taking events, writes those already queued, and waits for the writer thread to finish. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
