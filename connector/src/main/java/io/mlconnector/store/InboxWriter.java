package io.mlconnector.store;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for webhook deliveries (DESIGN §5): one writer thread takes whatever events are waiting
 * (no timer, no linger), appends them to the {@link IntakeJournal} and forces it (H2 file store only), inserts
 * them in one transaction, commits, and only then completes their futures. Under load one fsync serves many
 * requests; when idle, an event waits for nothing. On PostgreSQL the commit itself is the forced write.
 */
public final class InboxWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InboxWriter.class);
    private static final Pending STOP = new Pending(null, null);

    private final Database database;
    private final InboxRepository inbox;
    private final Optional<IntakeJournal> journal;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final DistributionSummary batchSizes;
    private final Timer commitTimer;
    private volatile boolean closed;

    private record Pending(InboxEvent event, CompletableFuture<Void> stored) {}

    /** @param maxBatch most events in one transaction (bounds the transaction's size under a flood) */
    public InboxWriter(Database database, InboxRepository inbox, MeterRegistry meters, int maxBatch) {
        this(database, inbox, meters, maxBatch, Clock.systemUTC());
    }

    /** @param clock when the journal's segments rotate */
    public InboxWriter(Database database, InboxRepository inbox, MeterRegistry meters, int maxBatch, Clock clock) {
        this.database = database;
        this.inbox = inbox;
        this.journal = database.intakeJournalDirectory().map(dir -> IntakeJournal.open(dir, clock));
        this.maxBatch = maxBatch;
        this.batchSizes = DistributionSummary.builder("inbox_group_commit_batch_size")
                .description("Webhook events per group commit").register(meters);
        this.commitTimer = Timer.builder("inbox_group_commit_seconds")
                .description("Insert, commit and force to disk of one group").register(meters);
        this.thread = new Thread(this::run, "inbox-writer");
        this.thread.setDaemon(true);
    }

    /** Puts back into the inbox any journalled event the store lost in a crash, then starts taking events. */
    public InboxWriter start() {
        journal.ifPresent(j -> {
            try {
                recover(j);
            } catch (RuntimeException e) { // the journal stays whole until a start that can restore it
                log.error("Intake journal not restored into the store, kept for the next start: {}", e.toString());
            }
        });
        thread.start();
        return this;
    }

    private void recover(IntakeJournal journalled) {
        List<InboxEvent> events = journalled.readAll();
        if (!events.isEmpty()) {
            Instant oldest = events.stream().map(InboxEvent::receivedAt).min(Comparator.naturalOrder()).orElseThrow();
            Set<String> stored = new HashSet<>();
            database.jdbi().useHandle(h -> h.createQuery("SELECT received_at, uri_token, fields_json FROM inbox"
                            + " WHERE received_at >= :oldest")
                    .bind("oldest", StoreTime.utc(oldest))
                    .map((rs, ctx) -> key(StoreTime.instant(rs, "received_at"), rs.getString("uri_token"),
                            rs.getString("fields_json")))
                    .forEach(stored::add));
            List<InboxEvent> missing = events.stream()
                    .filter(e -> !stored.contains(key(StoreTime.utc(e.receivedAt()).toInstant(), e.uriToken(), e.fieldsJson())))
                    .toList();
            if (!missing.isEmpty()) {
                database.inDurableTransaction(h -> {
                    inbox.insertBatch(h, missing);
                    return null;
                });
                // acknowledged events H2 lost, plus any group journalled but not yet answered when the process died
                log.warn("Restored {} webhook events from the intake journal that the store lacked after a crash",
                        missing.size());
            }
        }
        // every journalled event is now in a store forced to disk
        database.jdbi().useHandle(database.dialect()::forceToDisk);
        journalled.clear();
    }

    private static String key(Instant receivedAt, String uriToken, String fieldsJson) {
        return receivedAt + "\n" + uriToken + "\n" + fieldsJson;
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
        journal.ifPresent(IntakeJournal::close);
    }

    private void write(List<Pending> group) {
        List<Pending> live = group.stream().filter(p -> !p.stored().isDone()).toList();
        if (live.isEmpty()) {
            return;
        }
        try {
            List<InboxEvent> events = live.stream().map(Pending::event).toList();
            commitTimer.record(() -> {
                journal.ifPresent(j -> j.append(events));
                database.jdbi().useHandle(handle -> {
                    handle.useTransaction(tx -> inbox.insertBatch(tx, events));
                    if (journal.isEmpty()) {
                        database.dialect().forceToDisk(handle);
                    }
                });
            });
            batchSizes.record(live.size());
            live.forEach(p -> p.stored().complete(null));
            // the store is forced at each rotation, before older segments go
            journal.ifPresent(j -> j.rotateIfDue(() -> database.jdbi().useHandle(database.dialect()::forceToDisk)));
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
