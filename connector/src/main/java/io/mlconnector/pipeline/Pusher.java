package io.mlconnector.pipeline;

import io.mlconnector.cluster.LeaseHolder;
import io.mlconnector.cluster.Leases;
import io.mlconnector.cluster.Leases.Lease;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.Outbox.Batch;
import io.mlconnector.pipeline.PushPolicy.Decision;
import io.mlconnector.pipeline.PushRoutes.Resolver;
import io.mlconnector.pipeline.PushRoutes.Route;
import io.mlconnector.powerbi.DatasetInfo;
import io.mlconnector.powerbi.DatasetProvisioner;
import io.mlconnector.powerbi.NoDatasetException;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.PowerBiApiException;
import io.mlconnector.powerbi.PowerBiAuthException;
import io.mlconnector.powerbi.PushDatasetClient;
import io.mlconnector.powerbi.TableInfo;
import io.mlconnector.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends a route's outbox to its Power BI push dataset, one request at a time (docs/guarantees.md). Every
 * POST is recorded on disk before it is sent; {@link PushPolicy} decides what its result means, and this loop
 * carries the decision out. A POST whose outcome is unknown is resolved, never blindly sent again: by push
 * sequence numbers, else by counting its batch id with Execute Queries, else by rebuilding its table from the
 * ledger. Before the first POST (and after a pause) the route is prepared: the dataset found or created and
 * bound to the ledger (a new dataset is rebuilt from the ledger first), its tables checked, and the way of
 * resolving unknown outcomes detected. Connector start-up does not wait for any of this.
 *
 * <p>In a cluster every instance runs a pusher, but only the one holding the route's lease ({@code push:<route>},
 * {@link LeaseHolder}) acts: it alone creates the dataset, forms and posts batches and spends the route's quota.
 * A new owner prepares the route afresh, so a batch its predecessor left posting is resolved as an unknown
 * outcome; each attempt is fenced by the lease's token, and each result written only for its own attempt.
 */
public final class Pusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pusher.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(30);
    /** How often an instance that does not own the route looks whether it may take it over. */
    private static final Duration FOLLOWER_POLL = Duration.ofMillis(500);
    /** Rebuild a table before Power BI's 5,000,000-row cap (powerbi-api.md §4) is reached. */
    static final long REBUILD_AT_ROWS = 4_500_000;

    /** Where the route's rows go; {@code clientId} is ours, the key of our sequence numbers at the service. */
    public record Target(String route, String workspaceId, String clientId) {}

    private final Outbox outbox;
    private final TableRebuilds rebuilds;
    private final PushRoutes routes;
    private final RowSink client;
    private final DatasetProvisioner provisioner;
    private final DatasetModel model;
    private final SchemaGuard guard;
    private final QuotaShaper shaper;
    private final RetryBackoff backoff;
    private final Target target;
    private final Clock clock;
    private final int maxBatchRows;
    private final long maxBatchBytes;
    private final LeaseHolder lease;
    private final DimensionTables dimensions;
    private final PushObserver observer;
    /** Tables emptied for a rebuild whose reload has not been batched yet (pusher thread only). */
    private final Set<String> cleared = new HashSet<>();

    // The route as this instance knows it; only the pusher thread touches these.
    /** The lease under which this instance owns the route, or null while another instance does. */
    private volatile Lease owned; // read by awaitReady from other threads
    private String datasetId;
    private Resolver resolver;
    private Instant routeNotBefore = Instant.EPOCH;
    private int routeFailures;
    /** Per table: one-row POSTs refused since its last accepted POST, and when that streak began. */
    private final Map<String, Integer> rowRefusalsInARow = new HashMap<>();
    private final Map<String, Instant> lastAccepted = new HashMap<>();
    private final Map<String, Long> rowsInTable = new HashMap<>();
    /** Per table: what its unbatched background rows weighed in JSON, and when that was measured. */
    private final Map<String, Weighed> weighed = new HashMap<>();

    private record Weighed(Instant at, long bytes) {}

    /**
     * Weighing a table's waiting rows reads every one of them, too much for each tenth of a second while a backfill
     * fills the outbox; a batch full by bytes rather than rows (rows over 1.5 KB on average) is noticed within this.
     */
    private static final Duration WEIGH_EVERY = Duration.ofSeconds(1);

    private final java.util.concurrent.CountDownLatch firstReady = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean running;
    private volatile Thread thread;

    public Pusher(Outbox outbox, TableRebuilds rebuilds, PushRoutes routes, RowSink client,
                  DatasetProvisioner provisioner, DatasetModel model, SchemaGuard guard, QuotaShaper shaper,
                  RetryBackoff backoff, Target target, Clock clock, int maxBatchRows, long maxBatchBytes, LeaseHolder lease,
                  DimensionTables dimensions) {
        this(outbox, rebuilds, routes, client, provisioner, model, guard, shaper, backoff, target, clock, maxBatchRows,
                maxBatchBytes, lease, dimensions, PushObserver.NONE);
    }

    /** @param observer told of each batch Power BI accepted (metrics) */
    public Pusher(Outbox outbox, TableRebuilds rebuilds, PushRoutes routes, RowSink client,
                  DatasetProvisioner provisioner, DatasetModel model, SchemaGuard guard, QuotaShaper shaper,
                  RetryBackoff backoff, Target target, Clock clock, int maxBatchRows, long maxBatchBytes, LeaseHolder lease,
                  DimensionTables dimensions, PushObserver observer) {
        this.observer = observer;
        this.outbox = outbox;
        this.rebuilds = rebuilds;
        this.routes = routes;
        this.client = client;
        this.provisioner = provisioner;
        this.model = model;
        this.guard = guard;
        this.shaper = shaper;
        this.backoff = backoff;
        this.target = target;
        this.clock = clock;
        this.maxBatchRows = maxBatchRows;
        this.maxBatchBytes = maxBatchBytes;
        this.lease = lease;
        this.dimensions = dimensions;
    }

    /** Whether the push loop's thread is alive (for {@code /ready}); false before start and after close. */
    public boolean running() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    /** The lease name under which one instance of a cluster owns a route's push stream. */
    public static String leaseName(String route) {
        return "push:" + route;
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
                if (Database.isConflict(e)) {
                    log.info("pusher step met a concurrent change in the store; running it again ({})", e.getClass().getSimpleName());
                    pause = Duration.ofMillis(50);
                } else {
                    log.error("pusher step failed; retrying", e);
                    pause = Duration.ofSeconds(1);
                }
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
     * Rebuilds tables from the ledger (clear, then reload their current rows). Asked through the store, since the
     * route's owner may be another instance: its pusher thread carries the request out, so that no POST of those
     * tables is in flight meanwhile. Completes with the rows queued per table.
     */
    public CompletableFuture<Map<String, Integer>> rebuild(Set<String> tables, String reason) {
        long id = rebuilds.ask(target.route(), tables, reason, clock.instant());
        return CompletableFuture.supplyAsync(() -> rebuilds.awaitAnswer(id));
    }

    /**
     * Waits until the route was prepared once by this instance, or, when another instance owns it, until the
     * store shows it bound to a dataset and not paused; false on timeout.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!firstReady.await(100, TimeUnit.MILLISECONDS)) {
            if (owned == null && routes.find(target.route())
                    .filter(r -> r.datasetId() != null && r.resolver() != null && !r.paused()).isPresent()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
        }
        return true;
    }

    /** Does one piece of work. Returns how long to pause before the next step (zero: go on at once). */
    Duration step() {
        Optional<Lease> current = lease.current();
        if (current.isEmpty()) {
            if (owned != null) {
                lostRoute("its lease was not renewed in time");
            }
            return FOLLOWER_POLL;
        }
        if (owned == null || owned.token() != current.get().token()) {
            tookRoute(current.get());
        }
        try {
            return stepAsOwner();
        } catch (Leases.LeaseLostException e) {
            lostRoute(e.getMessage());
            return FOLLOWER_POLL;
        }
    }

    /** This instance owns the route from now on: it forgets what it knew and prepares the route afresh. */
    private void tookRoute(Lease lease) {
        owned = lease;
        datasetId = null; // prepareRoute runs first; a batch left posting by the previous owner is then resolved
        routeNotBefore = Instant.EPOCH;
        routeFailures = 0;
        rowRefusalsInARow.clear();
        lastAccepted.clear();
        weighed.clear();
        Instant now = clock.instant();
        for (Outbox.Attempt attempt : outbox.attemptsSince(target.route(), now.minus(Duration.ofHours(1)))) {
            shaper.remember(attempt.at(), attempt.rows()); // the quota the previous owner spent still counts
        }
        guard.reload();
        log.info("this instance ({}) owns route {} now (lease token {})", owned.owner(), target.route(), lease.token());
    }

    private void lostRoute(String why) {
        log.warn("this instance no longer owns route {}: {}", target.route(), why);
        owned = null;
        datasetId = null;
    }

    private Duration stepAsOwner() {
        for (TableRebuilds.Request request : rebuilds.asked(target.route())) {
            rebuilds.answer(request, () -> rebuilds.request(target.route(), request.tables(), request.reason(), clock.instant()),
                    clock.instant());
        }
        for (String table : dimensions.dueForReload(target.route(), clock.instant())) {
            rebuilds.request(target.route(), Set.of(table), "keys of the dimension table changed or went away; reloaded"
                    + " with one row per key", clock.instant());
        }
        Instant now = clock.instant();
        if (now.isBefore(routeNotBefore)) {
            return min(Duration.between(now, routeNotBefore), Duration.ofSeconds(1));
        }
        try {
            if (datasetId == null) {
                prepareRoute(now);
                return Duration.ZERO;
            }
            List<TableRebuilds.Rebuild> toClear = rebuilds.pending(target.route());
            if (!toClear.isEmpty()) {
                clear(toClear.get(0).table());
                return Duration.ZERO;
            }
            return sendOrResolveOne(now);
        } catch (NoDatasetException e) { // the adopted dataset is not there, or creation was refused
            carryOut(new PushPolicy.PauseRoute(e.reason(), e.fix()), null, now);
            return Duration.ZERO;
        } catch (PowerBiAuthException e) {
            carryOut(PushPolicy.afterTokenFailure(e), null, now);
            return Duration.ZERO;
        } catch (PowerBiApiException e) {
            if (e.tenantSwitchOff()) {
                carryOut(new PushPolicy.PauseRoute(e.getMessage(), PushPolicy.TENANT_SWITCH_FIX), null, now);
            } else if (e.status() == 401 || e.status() == 403) {
                carryOut(new PushPolicy.PauseRoute(e.getMessage(), PushPolicy.WORKSPACE_ACCESS_FIX), null, now);
            } else {
                if (e.status() == 404) {
                    datasetId = null; // the dataset or a table went away: prepare the route again after the wait
                }
                Duration wait = backoff.delayAfter(++routeFailures);
                routeNotBefore = now.plus(wait);
                log.warn("Power BI call failed ({}); route {} waits {} ms", e.getMessage(), target.route(), wait.toMillis());
            }
            return Duration.ZERO;
        }
    }

    private Duration sendOrResolveOne(Instant now) {
        Set<String> tablesWithOpenBatch = new HashSet<>();
        for (Batch head : outbox.headOfEachTable(target.route())) {
            tablesWithOpenBatch.add(head.table());
            if (head.nextAttemptAt().isAfter(now)) {
                continue;
            }
            if (head.posting()) {
                resolve(head, now);
                return Duration.ZERO;
            }
            if (guard.mayPost(head.table())) {
                return post(head, now);
            }
        }
        Instant due = null; // the earliest instant a table's background rows become a batch
        for (Outbox.UnbatchedTable unbatched : outbox.unbatchedTables(target.route())) {
            String table = unbatched.table();
            // A table with an open batch waits for it: its batches leave one by one, in order.
            if (tablesWithOpenBatch.contains(table) || guard.isBlocked(table)) {
                continue;
            }
            // A table just cleared shows empty in reports until its reload arrives: its first batch does not wait.
            Optional<Instant> wait = cleared.contains(table) ? Optional.empty()
                    : BatchTiming.waitUntil(waiting(unbatched, now), maxBatchRows, maxBatchBytes, now);
            if (wait.isPresent()) {
                due = due == null || wait.get().isBefore(due) ? wait.get() : due;
                continue;
            }
            weighed.remove(table); // what is left after this batch is weighed anew
            cleared.remove(table);
            Optional<Batch> formed = outbox.formBatch(target.route(), table, maxBatchRows, maxBatchBytes, now);
            if (formed.isPresent()) {
                return post(formed.get(), now);
            }
        }
        // Polled, not slept through: a webhook's rows may come any moment and go at once.
        return due == null ? IDLE_POLL : min(IDLE_POLL, Duration.between(now, due));
    }

    /**
     * What waits in a table, for {@link BatchTiming}. Live rows or a whole batch's rows decide it alone; otherwise the
     * ages of the oldest and newest background rows, and their weight, measured at most every {@link #WEIGH_EVERY}.
     */
    private BatchTiming.Waiting waiting(Outbox.UnbatchedTable unbatched, Instant now) {
        if (unbatched.liveRows() > 0 || unbatched.backgroundRows() >= maxBatchRows) {
            return new BatchTiming.Waiting(unbatched.liveRows(), unbatched.backgroundRows(), 0, null, null);
        }
        Weighed weight = weighed.get(unbatched.table());
        if (weight == null || !now.isBefore(weight.at().plus(WEIGH_EVERY))) {
            weight = new Weighed(now, outbox.unbatchedBackgroundBytes(target.route(), unbatched.table()));
            weighed.put(unbatched.table(), weight);
        }
        Map<Long, Instant> written = outbox.writtenAt(List.of(unbatched.firstBackgroundId(), unbatched.lastBackgroundId()));
        Instant oldest = written.getOrDefault(unbatched.firstBackgroundId(), now);
        Instant newest = written.getOrDefault(unbatched.lastBackgroundId(), now);
        return new BatchTiming.Waiting(0, unbatched.backgroundRows(), weight.bytes(), oldest, newest);
    }

    private Duration post(Batch pending, Instant now) {
        Duration wait = shaper.waitBefore(pending.rowCount(), largestTable());
        if (!wait.isZero()) {
            return min(wait, Duration.ofSeconds(1));
        }
        Batch batch = outbox.beginAttempt(pending, UUID.randomUUID().toString(), now, owned);
        List<ObjectNode> rows = outbox.rowsOf(batch);
        shaper.recordPost(rows.size());
        Decision decision;
        try {
            PostRowsResult result = client.postRows(target.workspaceId(), datasetId, batch.table(),
                    PushDatasetClient.rowsBody(rows), rows.size(), batch.pushSeq());
            decision = PushPolicy.afterPost(result, rows.size());
        } catch (PowerBiAuthException e) { // no token: the request never left
            decision = PushPolicy.afterTokenFailure(e);
        }
        carryOut(decision, batch, clock.instant());
        return Duration.ZERO;
    }

    /** Carries out one decision about {@code batch} (null: a decision about the route alone). */
    private void carryOut(Decision decision, Batch batch, Instant now) {
        if (decision instanceof PushPolicy.MarkSent) {
            outbox.markSent(batch, now);
            try {
                observer.accepted(batch, now);
            } catch (RuntimeException e) { // metrics never stop the push stream
                log.debug("push observer failed: {}", e.toString());
            }
            routeFailures = 0;
            rowRefusalsInARow.remove(batch.table());
            lastAccepted.put(batch.table(), now);
            guard.clear(batch.table());
            long rows = rowsInTable.merge(batch.table(), (long) batch.rowCount(), Long::sum);
            if (rows >= REBUILD_AT_ROWS) {
                rebuilds.request(target.route(), Set.of(batch.table()),
                        "the table holds " + rows + " rows, near Power BI's cap of 5,000,000", now);
            }
        } else if (decision instanceof PushPolicy.RetryLater retry) {
            Duration wait = retry.exactWait() != null ? retry.exactWait() : backoff.delayAfter(++routeFailures);
            if (retry.exactWait() != null) {
                shaper.blockFor(wait); // Retry-After is honoured exactly, for the whole dataset
            }
            routeNotBefore = now.plus(wait);
            outbox.retryLater(batch, now.plus(wait), retry.reason());
            log.info("{} rows to {} not written ({}); again in {} ms", batch.rowCount(), batch.table(), retry.reason(),
                    wait.toMillis());
        } else if (decision instanceof PushPolicy.ResolveUnknown unknown) {
            Duration wait = backoff.delayAfter(++routeFailures);
            routeNotBefore = now.plus(wait);
            outbox.outcomeUnknown(batch, now.plus(wait), unknown.reason());
            log.warn("batch {} ({} rows to {}): outcome unknown ({}); finding out in {} ms", batch.batchId(),
                    batch.rowCount(), batch.table(), unknown.reason(), wait.toMillis());
        } else if (decision instanceof PushPolicy.CheckTable check) {
            outbox.retryLater(batch, now, check.reason()); // refused: nothing was written
            int refusals = batch.rowCount() == 1 ? rowRefusalsInARow.merge(batch.table(), 1, Integer::sum)
                    : rowRefusalsInARow.getOrDefault(batch.table(), 0);
            carryOut(PushPolicy.afterRefusal(tableState(batch.table()), batch.table(), batch.rowCount(), refusals,
                    check.reason()), batch, now);
        } else if (decision instanceof PushPolicy.PauseRoute pauseRoute) {
            if (batch != null) {
                outbox.retryLater(batch, now, pauseRoute.reason());
            }
            routes.pause(target.route(), target.workspaceId(), model.datasetName(), pauseRoute.reason(), pauseRoute.fix(), now);
            datasetId = null; // the probe prepares the route again, finding the dataset anew
            routeNotBefore = now.plus(PROBE_EVERY);
            log.error("route {} paused: {}; fix: {}", target.route(), pauseRoute.reason(), pauseRoute.fix());
        } else if (decision instanceof PushPolicy.BlockTable block) {
            guard.block(batch.table(), block.reason(), block.fix());
            if (rowRefusalsInARow.remove(batch.table()) != null) {
                // The rows quarantined in this streak were not bad: the table was. They wait with the rest.
                int back = outbox.requeueQuarantined(target.route(), batch.table(),
                        lastAccepted.getOrDefault(batch.table(), Instant.EPOCH));
                log.warn("{} rows of {} quarantined one by one are queued again: the table, not the rows, is wrong", back,
                        batch.table());
            }
            log.error("table {} blocked, its rows kept: {}; fix: {}", batch.table(), block.reason(), block.fix());
        } else if (decision instanceof PushPolicy.Split split) {
            outbox.split(batch, split.reason(), now);
            log.warn("Power BI refused {} rows to {} ({}); posting each half on its own", batch.rowCount(), batch.table(),
                    split.reason());
        } else if (decision instanceof PushPolicy.QuarantineRow quarantine) {
            outbox.quarantine(batch, quarantine.reason(), now);
            log.error("row of batch {} to {} quarantined: {}; its record's later rows wait (mlc replay {})",
                    batch.batchId(), batch.table(), quarantine.reason(), batch.batchId());
        }
    }

    /** Finds out whether a batch whose POST has no known outcome was applied. */
    private void resolve(Batch batch, Instant now) {
        if (resolver == Resolver.SEQUENCE_NUMBERS && batch.pushSeq() != null) {
            Optional<Long> last = client.lastSequenceNumber(target.workspaceId(), datasetId, batch.table(), target.clientId());
            if (last.isPresent()) {
                resolved(batch, last.get() >= batch.pushSeq(), "sequence number " + batch.pushSeq() + ", service at "
                        + last.get(), now);
                return;
            }
            resolver = detectResolver(batch.table()); // the service stopped answering them
        }
        if (resolver == Resolver.EXECUTE_QUERIES) {
            long found = client.countRowsOfBatch(target.workspaceId(), datasetId, batch.table(), batch.batchId());
            if (found == 0 || found == batch.rowCount()) {
                resolved(batch, found > 0, found + " of its " + batch.rowCount() + " rows found by Execute Queries", now);
                return;
            }
        }
        String reason = "the outcome of batch " + batch.batchId() + " (" + batch.rowCount() + " rows) is unknown and Power "
                + "BI offers no way to find it out (" + batch.lastError() + ")";
        Map<String, Integer> queued = rebuilds.request(target.route(), Set.of(batch.table()), reason, now);
        log.warn("rebuilding table {} from the ledger ({} rows): {}", batch.table(), queued.get(batch.table()), reason);
    }

    private void resolved(Batch batch, boolean applied, String evidence, Instant now) {
        log.info("batch {} ({} rows to {}) {} ({})", batch.batchId(), batch.rowCount(), batch.table(),
                applied ? "was applied" : "was not applied; sending it again", evidence);
        routeFailures = 0;
        if (applied) {
            carryOut(new PushPolicy.MarkSent(), batch, now);
        } else {
            outbox.sendAgainWithSameNumber(batch, now, "not applied (" + evidence + ")");
        }
    }

    /** Empties a table being rebuilt; its queued current rows then go out as usual. */
    private void clear(String table) {
        rebuilds.checkStillOwner(owned); // as beginAttempt does before each POST
        client.deleteRows(target.workspaceId(), datasetId, table);
        rebuilds.cleared(target.route(), table);
        cleared.add(table);
        rowsInTable.put(table, 0L);
        log.info("table {} cleared; reloading it from the ledger", table);
    }

    /**
     * Finds the dataset (creating it on the route's first start), binds the ledger to it (a dataset new to the
     * ledger is rebuilt from it before anything else goes), checks its tables, and detects how to resolve
     * unknown outcomes. A dataset the route was bound to that is gone pauses the route: creating a new one is a
     * person's decision ({@code mlc dataset create}). An adopted dataset ({@code powerbi.dataset-id}) is used
     * whatever its name; new to the ledger, it is cleared and refilled, so it holds exactly the ledger's rows.
     * No dataset to be had ({@link NoDatasetException}) pauses the route with its reason and fix.
     */
    private void prepareRoute(Instant now) {
        Optional<Route> route = routes.find(target.route());
        String boundId = route.map(Route::datasetId).orElse(null);
        String id;
        boolean created = false;
        Optional<String> adopted = provisioner.adoptedDatasetId();
        List<DatasetInfo> named = adopted.isPresent() ? List.of()
                : client.findDatasetsByName(target.workspaceId(), model.datasetName());
        if (adopted.isPresent()) {
            // Checked against the mapping (differences logged); bound below, so new to the ledger means refilled from it.
            id = provisioner.ensure(target.workspaceId(), model).datasetId();
        } else if (boundId != null && named.stream().anyMatch(d -> d.id().equals(boundId))) {
            id = boundId;
        } else if (!named.isEmpty()) {
            id = named.get(0).id();
        } else if (boundId == null) {
            id = provisioner.ensure(target.workspaceId(), model).datasetId();
            created = true;
        } else {
            carryOut(new PushPolicy.PauseRoute("dataset '" + model.datasetName() + "' (" + boundId + ") is gone from workspace "
                    + target.workspaceId(), PushPolicy.DATASET_GONE_FIX), null, now);
            return;
        }
        if (routes.bind(target.route(), target.workspaceId(), model.datasetName(), id, now)) {
            Set<String> all = model.tables().stream().map(DatasetModel.Table::name)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            rebuilds.request(target.route(), all, "dataset " + id + " is new to the ledger", now, !created);
            log.info("route {} bound to dataset {}; filling it from the ledger", target.route(), id);
        }
        Set<String> present = client.getTables(target.workspaceId(), id).stream().map(TableInfo::name)
                .collect(Collectors.toSet());
        for (DatasetModel.Table table : model.tables()) {
            if (!present.contains(table.name())) {
                guard.block(table.name(), "table " + table.name() + " is missing from the dataset", provisioner.missingTableFix());
            }
        }
        datasetId = id;
        resolver = detectResolver(present.stream().sorted().findFirst().orElse(null));
        if (resolver == Resolver.SEQUENCE_NUMBERS) {
            for (String table : present) { // never reuse a number the service has seen (a restored or fresh store)
                client.lastSequenceNumber(target.workspaceId(), id, table, target.clientId())
                        .ifPresent(last -> outbox.raiseSequenceNumber(target.route(), table, last));
            }
        }
        rowsInTable.clear();
        rowsInTable.putAll(outbox.rowsInTables(target.route()));
        routes.ready(target.route(), resolver, now);
        routeFailures = 0;
        firstReady.countDown();
        log.info("route {} ready: dataset {}, unknown outcomes resolved by {}", target.route(), id, resolver);
    }

    private Resolver detectResolver(String probeTable) {
        if (probeTable == null) {
            return Resolver.REBUILD;
        }
        if (client.lastSequenceNumber(target.workspaceId(), datasetId, probeTable, target.clientId()).isPresent()) {
            return Resolver.SEQUENCE_NUMBERS;
        }
        try {
            client.countRowsOfBatch(target.workspaceId(), datasetId, probeTable, "probe");
            return Resolver.EXECUTE_QUERIES;
        } catch (PowerBiApiException e) {
            if (e.retryable()) {
                throw e;
            }
            return Resolver.REBUILD;
        }
    }

    private PushPolicy.TableState tableState(String table) {
        try {
            boolean present = client.getTables(target.workspaceId(), datasetId).stream().anyMatch(t -> t.name().equals(table));
            return present ? PushPolicy.TableState.PRESENT : PushPolicy.TableState.MISSING;
        } catch (PowerBiApiException e) {
            if (e.status() == 404) {
                return PushPolicy.TableState.DATASET_GONE;
            }
            throw e;
        }
    }

    private long largestTable() {
        return rowsInTable.values().stream().max(Comparator.naturalOrder()).orElse(0L);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Stops after the step in progress, waiting for an in-flight POST for longer than its request timeout, so
     * its outcome is recorded before the store closes. (A kill instead leaves it posting: resolved at start.)
     */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(client.requestTimeout().plusSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lease.close(); // another instance takes the route at once
    }
}
