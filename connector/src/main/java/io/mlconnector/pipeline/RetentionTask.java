package io.mlconnector.pipeline;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store from growing without bound: deletes inbox events processed more than {@code retention}
 * ago, and the batches Power BI accepted ({@code state = 'sent'}) more than {@code retention} ago with
 * their outbox rows. Nothing else: unprocessed events, pending and quarantined batches and their rows,
 * rows not yet in a batch, the ledger and every other table stay.
 *
 * <p>Runs hourly, once per cluster, as a recurring db-scheduler task registered with the
 * {@link SweepScheduler} (pass {@link #task()} to it). Every statement deletes at most {@code chunk} rows in
 * its own short transaction and is repeated until nothing is left, so a large backlog never holds one long
 * transaction. A batch is deleted only after its rows are gone; what was deleted is added to
 * {@code retention_total} in the same transaction, so the rows each Power BI table holds (the pusher's
 * 250,000-row rule) and the status counts are unchanged by the deletes.
 */
public final class RetentionTask {
    private static final Logger log = LoggerFactory.getLogger(RetentionTask.class);
    static final String TASK = "store-retention";
    static final Duration EVERY = Duration.ofHours(1);
    static final int CHUNK = 5_000;

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration retention;
    private final int chunk;

    /** What one run deleted. */
    public record Result(long inboxEvents, long outboxRows, long outboxBatches) {}

    /** @param retention {@code pipeline.retention}: how long processed and sent things are kept */
    public RetentionTask(Jdbi jdbi, Clock clock, Duration retention) {
        this(jdbi, clock, retention, CHUNK);
    }

    RetentionTask(Jdbi jdbi, Clock clock, Duration retention, int chunk) {
        if (retention.isNegative() || retention.isZero() || chunk < 1) {
            throw new IllegalArgumentException("retention must be positive and chunk at least 1");
        }
        this.jdbi = jdbi;
        this.clock = clock;
        this.retention = retention;
        this.chunk = chunk;
    }

    /** The hourly task, for {@link SweepScheduler}'s db-scheduler. */
    public RecurringTask<Void> task() {
        return Tasks.recurring(TASK, FixedDelay.of(EVERY)).execute((instance, context) -> runQuietly());
    }

    private void runQuietly() {
        try {
            run();
        } catch (RuntimeException e) { // a broken store: the next hour tries again, and nothing half-deleted is lost
            log.warn("retention run failed: {}", e.toString());
        }
    }

    /** Deletes everything processed or sent before now − retention, in the caller's thread. */
    public Result run() {
        Instant cutoff = clock.instant().minus(retention);
        Result result = new Result(
                repeat(() -> deleteInboxChunk(cutoff)),
                repeat(() -> deleteSentRowChunk(cutoff)) + repeat(() -> deleteReplacedRowChunk(cutoff)),
                repeat(() -> deleteSentBatchChunk(cutoff)) + repeat(() -> deleteReplacedBatchChunk(cutoff)));
        if (result.inboxEvents() + result.outboxRows() + result.outboxBatches() > 0) {
            log.info("retention: deleted {} processed events, {} sent rows in {} batches (older than {})",
                    result.inboxEvents(), result.outboxRows(), result.outboxBatches(), cutoff);
        }
        return result;
    }

    private static long repeat(IntSupplier chunk) {
        long total = 0;
        for (int deleted = chunk.getAsInt(); deleted > 0; deleted = chunk.getAsInt()) {
            total += deleted;
        }
        return total;
    }

    /** {@code processed_at < cutoff} never matches an unprocessed event (NULL). */
    private int deleteInboxChunk(Instant cutoff) {
        return jdbi.inTransaction(h -> {
            int deleted = h.createUpdate("""
                            DELETE FROM inbox WHERE id IN (
                                SELECT id FROM inbox WHERE processed_at < :cutoff LIMIT :chunk)""")
                    .bind("cutoff", cutoff).bind("chunk", chunk).execute();
            addTotal(h, "inbox", "", "", deleted);
            return deleted;
        });
    }

    /** Rows of old sent batches; joined on (route, table_name, batch_id) so the outbox_row index serves it. */
    private int deleteSentRowChunk(Instant cutoff) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM outbox_row WHERE id IN (
                            SELECT r.id FROM outbox_batch b
                            JOIN outbox_row r ON r.route = b.route AND r.table_name = b.table_name AND r.batch_id = b.batch_id
                            WHERE b.state = 'sent' AND b.sent_at < :cutoff
                            LIMIT :chunk)""")
                .bind("cutoff", cutoff).bind("chunk", chunk).execute());
    }

    /**
     * Rows of old batches that were replaced, never sent: superseded by a rebuild (their effect is in the rebuilt
     * table) or split into halves (which took the rows). Power BI holds none of them, so no total is kept.
     */
    private int deleteReplacedRowChunk(Instant cutoff) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM outbox_row WHERE id IN (
                            SELECT r.id FROM outbox_batch b JOIN outbox_row r ON r.batch_id = b.batch_id
                            WHERE b.state IN ('superseded', 'split') AND b.created_at < :cutoff
                            LIMIT :chunk)""")
                .bind("cutoff", cutoff).bind("chunk", chunk).execute());
    }

    private int deleteReplacedBatchChunk(Instant cutoff) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM outbox_batch WHERE batch_id IN (
                            SELECT b.batch_id FROM outbox_batch b
                            WHERE b.state IN ('superseded', 'split') AND b.created_at < :cutoff
                              AND NOT EXISTS (SELECT 1 FROM outbox_row r WHERE r.batch_id = b.batch_id)
                            LIMIT :chunk)""")
                .bind("cutoff", cutoff).bind("chunk", chunk).execute());
    }

    /** Old sent batches with no rows left, their row counts added to retention_total in the same transaction. */
    private int deleteSentBatchChunk(Instant cutoff) {
        return jdbi.inTransaction(h -> {
            record Gone(String batchId, String route, String table, long rows) {}
            List<Gone> batches = h.createQuery("""
                            SELECT b.batch_id, b.route, b.table_name, b.row_count FROM outbox_batch b
                            WHERE b.state = 'sent' AND b.sent_at < :cutoff AND NOT EXISTS (
                                SELECT 1 FROM outbox_row r
                                WHERE r.route = b.route AND r.table_name = b.table_name AND r.batch_id = b.batch_id)
                            LIMIT :chunk""")
                    .bind("cutoff", cutoff).bind("chunk", chunk)
                    .map((rs, ctx) -> new Gone(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
                    .list();
            if (batches.isEmpty()) {
                return 0;
            }
            int deleted = h.createUpdate("DELETE FROM outbox_batch WHERE state = 'sent' AND batch_id IN (<ids>)")
                    .bindList("ids", batches.stream().map(Gone::batchId).toList()).execute();
            if (deleted != batches.size()) { // sent is final, so this cannot happen; never miscount if it does
                throw new IllegalStateException("outbox batches changed while being deleted");
            }
            batches.stream().collect(Collectors.groupingBy(g -> List.of(g.route(), g.table()),
                            Collectors.summingLong(Gone::rows)))
                    .forEach((key, rows) -> addTotal(h, "outbox", key.get(0), key.get(1), rows));
            return deleted;
        });
    }

    private static void addTotal(Handle h, String kind, String route, String table, long deleted) {
        if (deleted == 0) {
            return;
        }
        int updated = h.createUpdate("""
                        UPDATE retention_total SET deleted = deleted + :n
                        WHERE kind = :kind AND route = :route AND table_name = :table""")
                .bind("n", deleted).bind("kind", kind).bind("route", route).bind("table", table).execute();
        if (updated == 0) { // one run at a time per cluster (db-scheduler), so no concurrent first insert
            h.createUpdate("INSERT INTO retention_total (kind, route, table_name, deleted) VALUES (:kind, :route, :table, :n)")
                    .bind("n", deleted).bind("kind", kind).bind("route", route).bind("table", table).execute();
        }
    }
}
