package io.mlconnector.pipeline;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.mlconnector.pipeline.Outbox.Batch;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.PowerBiApiException;
import io.mlconnector.powerbi.PushDatasetClient;
import io.mlconnector.powerbi.SchemaDiff;
import io.mlconnector.powerbi.TableInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends a route's outbox to its Power BI push dataset, one POST at a time (so never more than one request
 * is pending for the dataset). Batches are formed just before they are sent, so rows that piled up while
 * the quota shaper made us wait go out together. Outcomes: 200 → sent; 429 → wait exactly Retry-After;
 * 5xx/timeouts → exponential backoff with full jitter behind a circuit breaker; a 400 that names the
 * schema → the table is blocked and its rows kept; any other 400 → the batch is quarantined with the
 * reason, replayable. Nothing is dropped.
 */
public final class Pusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pusher.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    static final String SCHEMA_FIX = SchemaDiff.FIX_COMMAND;
    private static final tools.jackson.databind.json.JsonMapper ROW_JSON = PipelineJson.mapper();

    /** Where the route's rows go. */
    public record Target(String route, String workspaceId, String datasetId) {}

    private final Outbox outbox;
    private final PushDatasetClient client;
    private final SchemaGuard guard;
    private final QuotaShaper shaper;
    private final RetryBackoff backoff;
    private final CircuitBreaker breaker;
    private final Target target;
    private final Clock clock;
    private final int maxBatchRows;
    private final Map<String, Long> rowsInTable = new HashMap<>();
    private final Set<String> tablesChecked = new HashSet<>();
    private volatile boolean running;
    private Thread thread;

    public Pusher(Outbox outbox, PushDatasetClient client, SchemaGuard guard, QuotaShaper shaper, RetryBackoff backoff,
                  CircuitBreaker breaker, Target target, Clock clock, int maxBatchRows) {
        this.outbox = outbox;
        this.client = client;
        this.guard = guard;
        this.shaper = shaper;
        this.backoff = backoff;
        this.breaker = breaker;
        this.target = target;
        this.clock = clock;
        this.maxBatchRows = maxBatchRows;
        this.rowsInTable.putAll(outbox.sentRowsByTable(target.route()));
    }

    public void start() {
        running = true;
        thread = new Thread(this::loop, "pusher-" + target.route());
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            Duration pause;
            try {
                pause = step();
            } catch (RuntimeException e) {
                log.error("pusher step failed; retrying", e);
                pause = Duration.ofSeconds(1);
            }
            if (!pause.isZero()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(Math.max(1, pause.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Sends at most one batch. Returns how long to pause before the next step (zero: go on at once).
     */
    Duration step() {
        Instant now = clock.instant();
        Optional<Batch> next = nextBatch(now);
        if (next.isEmpty()) {
            return IDLE_POLL;
        }
        Batch batch = next.get();
        Duration wait = shaper.waitBefore(batch.rowCount(), largestTable());
        if (!wait.isZero()) {
            return min(wait, Duration.ofSeconds(1));
        }
        if (!breaker.tryAcquirePermission()) {
            return Duration.ofSeconds(1);
        }
        if (!tablesChecked.contains(batch.table()) && !tableExists(batch.table())) {
            breaker.releasePermission();
            return Duration.ZERO;
        }
        List<ObjectNode> rows = outbox.rowsOf(batch);
        shaper.recordPost(rows.size());
        long started = System.nanoTime();
        PostRowsResult result = client.postRows(target.workspaceId(), target.datasetId(), batch.table(), asMaps(rows));
        long elapsed = System.nanoTime() - started;
        handle(batch, rows.size(), result, elapsed);
        return Duration.ZERO;
    }

    private void handle(Batch batch, int rowCount, PostRowsResult result, long elapsedNanos) {
        Instant now = clock.instant();
        if (result instanceof PostRowsResult.Accepted) {
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            outbox.markSent(batch.batchId(), now);
            rowsInTable.merge(batch.table(), (long) rowCount, Long::sum);
            guard.clear(batch.table());
        } else if (result instanceof PostRowsResult.Throttled throttled) {
            breaker.releasePermission();
            // Retry-After is honoured exactly; a 429 without one falls back to the jittered backoff.
            Duration wait = throttled.retryAfterHint().orElseGet(() -> backoff.delayAfter(batch.attempts() + 1));
            shaper.blockFor(wait);
            outbox.retryLater(batch.batchId(), now.plus(wait), "429: retry after " + wait.toMillis() + " ms");
            log.info("Power BI throttled {} rows to {}; waiting {} ms", rowCount, batch.table(), wait.toMillis());
        } else if (result instanceof PostRowsResult.Failed failed) {
            breaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, new IllegalStateException(failed.reason()));
            Duration wait = backoff.delayAfter(batch.attempts() + 1);
            outbox.retryLater(batch.batchId(), now.plus(wait), failed.status() + ": " + failed.reason());
            log.warn("posting {} rows to {} failed ({}: {}); retry in {} ms", rowCount, batch.table(),
                    failed.status(), failed.reason(), wait.toMillis());
        } else if (result instanceof PostRowsResult.Rejected rejected) {
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS); // Power BI is up; the request is wrong
            String reason = rejected.status() + " " + rejected.code() + ": " + rejected.message();
            if (namesTheSchema(rejected)) {
                guard.block(batch.table(), reason, SCHEMA_FIX);
                outbox.retryLater(batch.batchId(), now, reason);
                log.error("table {} does not match the mapping ({}); its rows are kept until `{}`", batch.table(),
                        reason, SCHEMA_FIX);
            } else {
                outbox.quarantine(batch.batchId(), reason, now);
                log.error("batch {} ({} rows to {}) quarantined: {}", batch.batchId(), rowCount, batch.table(), reason);
            }
        }
    }

    /**
     * The next batch to send: a pending batch whose retry time has come, else a new batch from the
     * table whose rows have waited longest. Tables the schema guard blocks are skipped until their probe.
     */
    private Optional<Batch> nextBatch(Instant now) {
        List<Batch> pending = outbox.pending(target.route());
        Set<String> waitingTables = new HashSet<>();
        for (Batch batch : pending) {
            if (!guard.mayPost(batch.table())) {
                continue;
            }
            if (!batch.nextAttemptAt().isAfter(now)) {
                return Optional.of(batch);
            }
            waitingTables.add(batch.table());
        }
        for (String table : outbox.tablesWithUnbatchedRows(target.route())) {
            // A blocked table keeps its new rows unbatched; a table with a batch waiting to retry waits too,
            // so its rows are not spread over ever more small batches.
            if (!guard.isBlocked(table) && !waitingTables.contains(table)) {
                return outbox.formBatch(target.route(), table, maxBatchRows, now);
            }
        }
        return Optional.empty();
    }

    /** Before the first POST to a table: does the dataset have it? */
    private boolean tableExists(String table) {
        Set<String> tables;
        try {
            tables = client.getTables(target.workspaceId(), target.datasetId()).stream()
                    .map(TableInfo::name).collect(java.util.stream.Collectors.toSet());
        } catch (PowerBiApiException e) {
            if (e.retryable()) {
                throw e;
            }
            guard.block(table, "dataset " + target.datasetId() + " cannot be read in workspace "
                    + target.workspaceId() + ": " + e.getMessage(), SchemaDiff.MISSING_DATASET_FIX);
            return false;
        }
        if (!tables.contains(table)) {
            guard.block(table, "table " + table + " is missing from the dataset", SchemaDiff.MISSING_TABLE_FIX);
            return false;
        }
        tablesChecked.add(table);
        return true;
    }

    /** A 404 for the table, or a 400 that talks about columns, means the dataset differs from the mapping. */
    static boolean namesTheSchema(PostRowsResult.Rejected rejected) {
        String message = rejected.message() == null ? "" : rejected.message().toLowerCase(java.util.Locale.ROOT);
        return rejected.status() == 404 || message.contains("column") || message.contains("table");
    }

    /** The client takes plain maps; the outbox hands out JSON objects with exact decimals. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> asMaps(List<ObjectNode> rows) {
        return rows.stream().map(r -> (Map<String, Object>) ROW_JSON.convertValue(r, Map.class)).toList();
    }

    private long largestTable() {
        return rowsInTable.values().stream().max(Comparator.naturalOrder()).orElse(0L);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Finishes the step in progress (not interrupted: see {@link WebhookWorker#close()}), then stops. */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
