package io.mlconnector.app;

import io.mlconnector.cluster.Leases;
import io.mlconnector.freshbooks.FreshBooksOAuthClient;
import io.mlconnector.freshbooks.OAuthStates;
import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.freshbooks.Onboarding;
import io.mlconnector.freshbooks.WebhookSubscriptions;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.pipeline.RecordKey;
import io.mlconnector.pipeline.Pusher;
import io.mlconnector.pipeline.TableRebuilds;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.pipeline.SweepRuns;
import io.mlconnector.pipeline.Sweeper;
import io.mlconnector.pipeline.reconcile.ControlTotals;
import io.mlconnector.powerbi.DatasetProvisioner;
import io.mlconnector.powerbi.SchemaDiff;
import io.mlconnector.store.Callback;
import io.mlconnector.store.InboxEvent;
import io.mlconnector.store.InboxWriter;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.TenantRepository;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The things a person (through the CLI, the status page or the demo) does with a running connector.
 * Each is one call into the domain objects; this class holds no logic of its own beyond the order.
 */
public final class Operations {
    private static final Logger log = LoggerFactory.getLogger(Operations.class);
    /** The event name of a re-fetch asked for by {@link #replayRecord}; the worker treats it as any webhook. */
    public static final String REPLAY_EVENT = "replay.requested";
    /** Dead letters the status lists (the newest); it counts them all. */
    static final int DEAD_LETTERS_SHOWN = 5;

    private final TenantRepository tenants;
    private final FreshBooksOAuthClient oauth;
    private final OAuthStates states;
    private final Executor background;
    private final Onboarding onboarding;
    private final WebhookSubscriptions subscriptions;
    private final Sweeper sweeper;
    private final InboxQueue inbox;
    private final Outbox outbox;
    private final SchemaGuard guard;
    private final TableRebuilds rebuilds;
    private final PushRoutes routes;
    private final Pusher pusher;
    private final DatasetProvisioner provisioner;
    private final DatasetModel model;
    private final String route;
    private final String workspaceId;
    private final Clock clock;
    private final ControlTotals controlTotals;
    private final SweepRuns sweepRuns;
    private final InboxWriter inboxWriter;
    private final Leases leases;
    private final io.mlconnector.pipeline.Backfills backfills;
    private final io.mlconnector.pipeline.RecordLineage lineage;
    private final io.mlconnector.pipeline.ReplaySelection selection;

    Operations(TenantRepository tenants, FreshBooksOAuthClient oauth, OAuthStates states, Executor background,
               Onboarding onboarding, WebhookSubscriptions subscriptions, Sweeper sweeper,
               InboxQueue inbox, Outbox outbox, SchemaGuard guard, TableRebuilds rebuilds, PushRoutes routes, Pusher pusher,
               DatasetProvisioner provisioner, DatasetModel model, String route, String workspaceId, Clock clock,
               SweepRuns sweepRuns,
               ControlTotals controlTotals, InboxWriter inboxWriter, Leases leases,
               io.mlconnector.pipeline.Backfills backfills, io.mlconnector.pipeline.RecordLineage lineage,
               io.mlconnector.pipeline.ReplaySelection selection) {
        this.tenants = tenants;
        this.oauth = oauth;
        this.states = states;
        this.background = background;
        this.onboarding = onboarding;
        this.subscriptions = subscriptions;
        this.sweeper = sweeper;
        this.inbox = inbox;
        this.outbox = outbox;
        this.guard = guard;
        this.rebuilds = rebuilds;
        this.routes = routes;
        this.pusher = pusher;
        this.provisioner = provisioner;
        this.model = model;
        this.route = route;
        this.workspaceId = workspaceId;
        this.clock = clock;
        this.sweepRuns = sweepRuns;
        this.controlTotals = controlTotals;
        this.inboxWriter = inboxWriter;
        this.leases = leases;
        this.backfills = backfills;
        this.lineage = lineage;
        this.selection = selection;
    }

    /** Where an admin-minted link sends the browser: FreshBooks' authorize page, and the secret its cookie keeps. */
    public record ConnectStart(URI authorizationUrl, String browserSecret) {}

    /**
     * A one-time link value for connecting a business ({@code POST /api/connect/freshbooks} on the admin surface);
     * without one, the public {@code /oauth/freshbooks/start} connects nothing.
     */
    public String mintConnectLink() {
        return states.mintLink();
    }

    /**
     * Where a user grants access: consumes the link and issues a {@code state} bound to the browser (by
     * {@link ConnectStart#browserSecret()}), which {@link #completeConnect} checks. Empty for an unknown, used or
     * expired link.
     */
    public java.util.Optional<ConnectStart> beginConnect(String link) {
        return states.start(link).map(s -> new ConnectStart(oauth.authorizationUrl(s.state()), s.browserSecret()));
    }

    /**
     * The OAuth redirect came back: connects the businesses, registers their webhooks, and backfills
     * them in the background. An unknown or reused {@code state}, or one from another browser, connects nothing.
     */
    public List<Tenant> completeConnect(String state, String browserSecret, String authorizationCode) {
        if (!states.consume(state, browserSecret)) {
            throw new IllegalArgumentException("this authorization was not started in this browser, or has expired; start again");
        }
        List<Tenant> connected = connect(authorizationCode);
        for (Tenant tenant : connected) {
            registerWebhooks(tenant.tenantId());
            // In the background, with a log line every few seconds and its progress in the status.
            try {
                backfills.start(List.of(tenant), List.of(ObjectType.values()), null, false);
            } catch (io.mlconnector.pipeline.Backfills.AlreadyRunningException e) {
                log.info("tenant {} reconnected while its backfill runs: {}", tenant.tenantId(), e.getMessage());
            }
        }
        return connected;
    }

    /** Connects the businesses behind an OAuth authorization code. */
    public List<Tenant> connect(String authorizationCode) {
        return onboarding.connect(authorizationCode);
    }

    public List<Tenant> tenants() {
        return tenants.list();
    }

    /** Registers the tenant's webhooks; verification completes in the background. */
    public List<Callback> registerWebhooks(String tenantId) {
        return subscriptions.register(tenantId);
    }

    public List<Callback> webhooks(String tenantId) {
        return subscriptions.list(tenantId);
    }

    /** {@code mlc webhooks list}: per tenant (one, or all when null), FreshBooks' callbacks against ours. */
    public List<io.mlconnector.freshbooks.WebhookAudit.TenantWebhooks> webhookAudit(String tenantId) {
        return perTenant(tenantId, subscriptions::audit);
    }

    /** {@code mlc webhooks repair}: re-registers what is missing and finishes unverified handshakes; the audit after. */
    public List<io.mlconnector.freshbooks.WebhookAudit.TenantWebhooks> repairWebhooks(String tenantId) {
        return perTenant(tenantId, subscriptions::repair);
    }

    /** A tenant FreshBooks cannot be asked about (no token: needs re-authorization) gets its reason, not a failure. */
    private List<io.mlconnector.freshbooks.WebhookAudit.TenantWebhooks> perTenant(String tenantId,
            java.util.function.Function<String, List<io.mlconnector.freshbooks.WebhookAudit.Entry>> call) {
        List<Tenant> which = tenantId == null || tenantId.isBlank() ? tenants.list() : List.of(tenant(tenantId));
        List<io.mlconnector.freshbooks.WebhookAudit.TenantWebhooks> result = new java.util.ArrayList<>();
        for (Tenant t : which) {
            try {
                result.add(new io.mlconnector.freshbooks.WebhookAudit.TenantWebhooks(t.tenantId(), t.businessName(),
                        call.apply(t.tenantId()), null));
            } catch (RuntimeException e) {
                String why = t.status() == Tenant.TenantStatus.NEEDS_REAUTHORIZATION
                        ? "needs re-authorization: reconnect it with mlc connect freshbooks"
                        : String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                log.warn("webhooks of tenant {}: {}", t.tenantId(), why);
                result.add(new io.mlconnector.freshbooks.WebhookAudit.TenantWebhooks(t.tenantId(), t.businessName(),
                        List.of(), why));
            }
        }
        return result;
    }

    /** Reads every record of the tenant and pushes what is not in Power BI yet; returns records read. */
    public long backfill(String tenantId, Consumer<Sweeper.Progress> progress) {
        Tenant tenant = tenants.find(tenantId).orElseThrow(() -> new IllegalArgumentException("no tenant " + tenantId));
        long records = 0;
        for (ObjectType type : ObjectType.values()) {
            records += sweeper.sweep(tenantId, tenant.businessUuid(), type, null, progress);
        }
        return records;
    }

    /**
     * {@code mlc backfill}: reads the records of a tenant ({@code null} or {@code all}: every active tenant) of some
     * types ({@code tables}: types or their tables' names; empty: every type), changed since an Eastern date or all,
     * in the background, continuing each listing where an interrupted backfill stopped unless {@code fromStart}.
     */
    public io.mlconnector.pipeline.Backfills.Snapshot startBackfill(String tenantId, LocalDate since, List<String> tables,
                                                                    boolean fromStart) {
        List<Tenant> which = tenantId == null || tenantId.isBlank() || "all".equals(tenantId)
                ? tenants.list().stream().filter(t -> t.status() == Tenant.TenantStatus.ACTIVE).toList()
                : List.of(tenant(tenantId));
        if (which.isEmpty()) {
            throw new IllegalArgumentException("no active tenant to backfill; connect a business first: mlc connect freshbooks");
        }
        return backfills.start(which, BackfillTypes.of(tables), since, fromStart);
    }

    /** One backfill's progress, if this instance ran it within the last hour. */
    public Optional<io.mlconnector.pipeline.Backfills.Snapshot> backfillProgress(String id) {
        return backfills.find(id);
    }

    /** The backfills (for tests that interrupt one). */
    public io.mlconnector.pipeline.Backfills backfills() {
        return backfills;
    }

    /**
     * {@code mlc explain TABLE ID}: the signed rows of that record in that table, with their batches, causes and
     * webhook events, and the ledger's entry. An unknown table or tenant is refused with the known ones.
     */
    public io.mlconnector.pipeline.RecordLineage.Explanation explain(String table, String objectId, String tenantId) {
        Set<String> known = model.tables().stream().map(DatasetModel.Table::name).collect(Collectors.toCollection(TreeSet::new));
        if (table == null || !known.contains(table)) {
            throw new IllegalArgumentException("TABLE: no table '" + table + "' in the dataset; tables: " + String.join(", ", known));
        }
        if (objectId == null || objectId.isBlank()) {
            throw new IllegalArgumentException("ID: give the FreshBooks record's id, e.g. mlc explain invoices 100001");
        }
        String which = tenantId == null || tenantId.isBlank() ? null : tenant(tenantId).tenantId();
        return lineage.explain(table, objectId, which);
    }

    /** Differences between the dataset and the mapping, each with its fix. */
    public List<SchemaDiff.Difference> checkDataset() {
        return provisioner.check(workspaceId, model);
    }

    /** PUTs every table of the mapping, then lets blocked tables try again at once. */
    public DatasetProvisioner.Provisioned syncDataset() {
        DatasetProvisioner.Provisioned result = provisioner.sync(workspaceId, model);
        guard.verdicts().stream().filter(SchemaGuard.Verdict::blocked).forEach(v -> guard.clear(v.table()));
        return result;
    }

    /**
     * {@code mlc dataset compact}: clears the tables in Power BI and reloads their current rows from the ledger.
     * Returns the rows queued per table; the clearing and the reload follow in the pusher.
     */
    public Map<String, Integer> compact(Set<String> tables) {
        Set<String> known = model.tables().stream().map(DatasetModel.Table::name).collect(Collectors.toSet());
        for (String table : tables) {
            if (!known.contains(table)) {
                throw new IllegalArgumentException("no table '" + table + "' in the mapping; tables: " + new TreeSet<>(known));
            }
        }
        Set<String> which = tables.isEmpty() ? known : tables;
        return pusher.rebuild(which, "asked for (mlc dataset compact)").orTimeout(2, TimeUnit.MINUTES).join();
    }

    /**
     * Compares the ledger's totals with Power BI's now (DESIGN §1 control totals), keeps the result for the status, and
     * rebuilds tables whose difference persists; returns the result by table and tenant.
     */
    public List<ControlTotals.Result> checkTotals() {
        return controlTotals.check();
    }

    public boolean replay(String batchId) {
        return outbox.replay(batchId, clock.instant());
    }

    /**
     * {@code mlc replay --dead-letters}: makes the dead-lettered records of a tenant ({@code null} or {@code all}: of
     * every tenant) due again, attempts counted from zero; returns how many.
     */
    public int replayDeadLetters(String tenantId) {
        String which = tenantId == null || tenantId.isBlank() || "all".equals(tenantId) ? null : tenant(tenantId).tenantId();
        int requeued = inbox.requeueDeadLetters(which);
        log.info("Replay of dead letters{}: {} records due again", which == null ? "" : " of " + which, requeued);
        return requeued;
    }

    /**
     * {@code mlc replay --table/--from/--to/--error}: replays the quarantined batches (or, with {@code deadLetters},
     * re-queues the dead letters) that match, each as a replay of one would; answers how many, and the error classes
     * of what matched the other criteria.
     */
    public io.mlconnector.pipeline.ReplaySelection.Replayed replaySelected(boolean deadLetters, String table,
            String tenantId, Instant from, Instant to, String error) {
        if (table != null) {
            Set<String> known = model.tables().stream().map(DatasetModel.Table::name).collect(Collectors.toCollection(TreeSet::new));
            if (!known.contains(table)) {
                throw new IllegalArgumentException("--table: no table '" + table + "' in the dataset; tables: "
                        + String.join(", ", known));
            }
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
        String which = tenantId == null || tenantId.isBlank() || "all".equals(tenantId) ? null : tenant(tenantId).tenantId();
        var filter = new io.mlconnector.pipeline.ReplaySelection.Filter(table, which, from, to, error);
        var replayed = deadLetters ? selection.deadLetters(filter) : selection.quarantinedBatches(filter, clock.instant());
        log.info("Replay of {} ({}): {} replayed", deadLetters ? "dead letters" : "quarantined batches", filter,
                replayed.replayed());
        return replayed;
    }

    /** What a replay by record queued, or a replay by listing started. */
    public record ReplayStarted(List<String> tenants, List<String> types, String objectId, LocalDate since) {}

    /**
     * {@code mlc replay --record}: puts a synthetic event for the record in the inbox (durably, as a webhook's), so
     * the worker fetches the current record and applies it: coalesced with webhooks, retried, and pushing nothing
     * when the ledger already holds that version. A record backing off or dead-lettered is due again at once.
     */
    public ReplayStarted replayRecord(String tenantId, String type, String objectId) {
        Tenant tenant = tenant(tenantId);
        ObjectType objectType = recordType(type);
        if (objectId == null || objectId.isBlank()) {
            throw new IllegalArgumentException("no record id: give --record TYPE:ID, e.g. invoice:1234");
        }
        // The fields name the record, so the intake journal tells two replays of one instant apart (its key).
        String fields = JsonNodeFactory.instance.objectNode().put("name", REPLAY_EVENT).put("object_id", objectId)
                .put("tenant_id", tenant.tenantId()).toString();
        InboxEvent event = new InboxEvent(clock.instant(), tenant.tenantId(), "replay", REPLAY_EVENT,
                objectType.eventPrefix(), objectId, fields);
        inboxWriter.submit(event).orTimeout(30, TimeUnit.SECONDS).join();
        inbox.requeue(new RecordKey(tenant.tenantId(), objectType.eventPrefix(), objectId)); // also ends a dead letter
        return new ReplayStarted(List.of(tenant.tenantId()), List.of(objectType.eventPrefix()), objectId, null);
    }

    /**
     * {@code mlc replay --tenant}: lists the tenant's records (of one type or all, changed since an Eastern date or
     * all) in the background and applies each, as a sweep does; answers at once with what was started.
     * {@code all} means every active tenant.
     */
    public ReplayStarted replayListing(String tenantId, String type, LocalDate since) {
        List<Tenant> which = "all".equals(tenantId)
                ? tenants.list().stream().filter(t -> t.status() == Tenant.TenantStatus.ACTIVE).toList()
                : List.of(tenant(tenantId));
        List<ObjectType> types = type == null || type.isBlank() ? List.of(ObjectType.values()) : List.of(listingType(type));
        background.execute(() -> {
            for (Tenant tenant : which) {
                for (ObjectType objectType : types) {
                    // Types FreshBooks cannot filter by update are listed whole (reference §5).
                    LocalDate updatedMin = objectType.updatedFilter() ? since : null;
                    try {
                        long read = sweeper.sweep(tenant.tenantId(), tenant.businessUuid(), objectType, updatedMin, p -> {});
                        log.info("Replay of {} {} records since {}: {} read", tenant.tenantId(), objectType.eventPrefix(),
                                updatedMin == null ? "(all)" : updatedMin, read);
                    } catch (RuntimeException e) {
                        log.warn("Replay of {} {} records failed: {}", tenant.tenantId(), objectType.eventPrefix(),
                                e.toString());
                    }
                }
            }
        });
        return new ReplayStarted(which.stream().map(Tenant::tenantId).toList(),
                types.stream().map(ObjectType::eventPrefix).toList(), null, since);
    }

    /** The types the worker can fetch by id: every type but those read only through a business-wide listing. */
    public static List<String> recordTypes() {
        return Arrays.stream(ObjectType.values()).filter(t -> !t.businessScoped()).map(ObjectType::eventPrefix).toList();
    }

    public static List<String> listingTypes() {
        return Arrays.stream(ObjectType.values()).map(ObjectType::eventPrefix).toList();
    }

    private static ObjectType recordType(String type) {
        return ObjectType.forEvent(type == null ? "" : type).filter(t -> !t.businessScoped())
                .orElseThrow(() -> new IllegalArgumentException("--record: no record type '" + type + "'; types: "
                        + String.join(", ", recordTypes())));
    }

    private static ObjectType listingType(String type) {
        return ObjectType.forEvent(type).orElseThrow(() -> new IllegalArgumentException("--type: no record type '"
                + type + "'; types: " + String.join(", ", listingTypes())));
    }

    private Tenant tenant(String tenantId) {
        return tenants.find(tenantId == null ? "" : tenantId).orElseThrow(() -> new NoSuchTenantException(
                "--tenant: no tenant '" + tenantId + "'; tenants: " + String.join(", ",
                        tenants.list().stream().map(Tenant::tenantId).toList())));
    }

    /** A tenant id the connector does not know. */
    public static final class NoSuchTenantException extends IllegalArgumentException {
        NoSuchTenantException(String message) {
            super(message);
        }
    }

    /**
     * Waits until the connector has reached Power BI once (its dataset found or created and bound); the demo and
     * tests want the dataset before they start. Throws, naming why, when that takes longer than {@code timeout}.
     */
    public void awaitPowerBi(Duration timeout) {
        try {
            if (!pusher.awaitReady(timeout)) {
                PushRoutes.Route current = routes.find(route).orElse(null);
                throw new IllegalStateException("Power BI was not ready within " + timeout.toSeconds() + " s"
                        + (current == null || !current.paused() ? "" : ": " + current.pausedReason() + "; fix: "
                        + current.pausedFix()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Power BI", e);
        }
    }

    /** Everything the status API and page show; {@code route} is null until the pusher first prepared it. */
    public record Status(Instant at, String workspaceId, String datasetId, List<Tenant> tenants, long eventsReceived,
                         long inboxPending, long rowsPushed, long outboxUnsent, Instant oldestWaiting,
                         List<Outbox.Batch> quarantined, List<SchemaGuard.Verdict> tables, PushRoutes.Route route,
                         List<TableRebuilds.Rebuild> rebuilding, List<ControlTotals.Result> controlTotals,
                         List<SweepRuns.LastRun> sweeps, InboxQueue.DeadLetters deadLetters, String instanceId,
                         List<Leases.Lease> leases, WaitingWork waiting,
                         List<io.mlconnector.pipeline.Backfills.Snapshot> backfills) {
        /** Without backfills. */
        public Status(Instant at, String workspaceId, String datasetId, List<Tenant> tenants, long eventsReceived,
                      long inboxPending, long rowsPushed, long outboxUnsent, Instant oldestWaiting,
                      List<Outbox.Batch> quarantined, List<SchemaGuard.Verdict> tables, PushRoutes.Route route,
                      List<TableRebuilds.Rebuild> rebuilding, List<ControlTotals.Result> controlTotals,
                      List<SweepRuns.LastRun> sweeps, InboxQueue.DeadLetters deadLetters, String instanceId,
                      List<Leases.Lease> leases, WaitingWork waiting) {
            this(at, workspaceId, datasetId, tenants, eventsReceived, inboxPending, rowsPushed, outboxUnsent, oldestWaiting,
                    quarantined, tables, route, rebuilding, controlTotals, sweeps, deadLetters, instanceId, leases, waiting,
                    List.of());
        }

        /** Without the split of what waits (tests that look at other parts). */
        public Status(Instant at, String workspaceId, String datasetId, List<Tenant> tenants, long eventsReceived,
                      long inboxPending, long rowsPushed, long outboxUnsent, Instant oldestWaiting,
                      List<Outbox.Batch> quarantined, List<SchemaGuard.Verdict> tables, PushRoutes.Route route,
                      List<TableRebuilds.Rebuild> rebuilding, List<ControlTotals.Result> controlTotals,
                      List<SweepRuns.LastRun> sweeps, InboxQueue.DeadLetters deadLetters, String instanceId,
                      List<Leases.Lease> leases) {
            this(at, workspaceId, datasetId, tenants, eventsReceived, inboxPending, rowsPushed, outboxUnsent, oldestWaiting,
                    quarantined, tables, route, rebuilding, controlTotals, sweeps, deadLetters, instanceId, leases, null);
        }
    }

    public Status status() {
        Instant oldestEvent = inbox.oldestPendingReceivedAt();
        Instant oldestRow = outbox.oldestUnsentCreatedAt();
        Instant oldest = oldestEvent == null ? oldestRow
                : oldestRow == null || oldestEvent.isBefore(oldestRow) ? oldestEvent : oldestRow;
        Optional<PushRoutes.Route> current = routes.find(route);
        Instant now = clock.instant();
        List<SchemaGuard.Verdict> verdicts = guard.verdicts();
        WaitingWork waiting = WaitingWork.of(inbox.waiting(now), outbox.waitingRows(now),
                verdicts.stream().filter(SchemaGuard.Verdict::blocked).map(SchemaGuard.Verdict::table)
                        .collect(java.util.stream.Collectors.toSet()),
                current.filter(PushRoutes.Route::paused).map(PushRoutes.Route::pausedFix).orElse(null));
        return new Status(now, workspaceId, current.map(PushRoutes.Route::datasetId).orElse(null),
                tenants.list(), inbox.totalCount(), inbox.pendingCount(), outbox.sentRowCount(), outbox.unsentRowCount(),
                oldest, outbox.quarantined(), verdicts, current.orElse(null), rebuilds.pending(route),
                controlTotals.latest(), sweepRuns.lastRuns(), inbox.deadLetters(DEAD_LETTERS_SHOWN), leases.instanceId(),
                leases.all(), waiting, backfills.recent());
    }
}
