package io.mlconnector.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlconnector.cluster.LeaseHolder;
import io.mlconnector.cluster.Leases;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.freshbooks.CallbackRegistrar;
import io.mlconnector.freshbooks.FreshBooksApiClient;
import io.mlconnector.freshbooks.FreshBooksOAuthClient;
import io.mlconnector.freshbooks.OAuthStates;
import io.mlconnector.freshbooks.Onboarding;
import io.mlconnector.freshbooks.TenantTokens;
import io.mlconnector.freshbooks.WebhookSubscriptions;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.pipeline.DimensionTables;
import io.mlconnector.pipeline.FetchStamps;
import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.pipeline.Pusher;
import io.mlconnector.pipeline.QuotaShaper;
import io.mlconnector.pipeline.RecordApplier;
import io.mlconnector.pipeline.RecordFetcher;
import io.mlconnector.pipeline.RetentionTask;
import io.mlconnector.pipeline.RetryBackoff;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.pipeline.SignedRowLedger;
import io.mlconnector.pipeline.SweepRuns;
import io.mlconnector.pipeline.SweepScheduler;
import io.mlconnector.pipeline.TableRebuilds;
import io.mlconnector.pipeline.Sweeper;
import io.mlconnector.pipeline.WebhookWorker;
import io.mlconnector.pipeline.reconcile.ControlTotals;
import io.mlconnector.powerbi.DatasetProvisioner;
import io.mlconnector.powerbi.PowerBiConnection;
import io.mlconnector.powerbi.PushDatasetClient;
import io.mlconnector.store.CallbackRepository;
import io.mlconnector.store.Database;
import io.mlconnector.store.InboxRepository;
import io.mlconnector.store.InboxWriter;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.SecretBox;
import io.mlconnector.store.StoreKeyset;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.web.AdminAuth;
import io.mlconnector.web.ConnectorApp;
import io.mlconnector.web.HealthRoutes;
import io.mlconnector.web.WebhookIntake;
import io.mlconnector.web.WebhookRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.json.JsonMapper;

/**
 * The connector service, wired from its configuration: every collaborator is built here and handed to
 * the next by constructor, in the order of DESIGN §1 (webhook → inbox → worker → ledger → outbox →
 * pusher). Nothing else in the code base builds these objects, and nothing is static.
 */
public final class Connector implements AutoCloseable {
    /** The one route for now: every tenant's rows go to the configured dataset. */
    public static final String ROUTE = "default";
    /** Power BI refuses a request over 16 MB (powerbi-api.md §4); a batch's JSON stays under this. */
    static final long MAX_BATCH_BYTES = 15_000_000;

    private final Database database;
    private final ExecutorService background;
    private final InboxWriter inboxWriter;
    private final ConnectorApp app;
    private final ConnectorApp admin;
    private final WebhookWorker worker;
    private final Pusher pusher;
    private final SweepScheduler sweeps;
    private final Operations operations;

    private Connector(Database database, ExecutorService background, InboxWriter inboxWriter, ConnectorApp app,
                      ConnectorApp admin, WebhookWorker worker, Pusher pusher, SweepScheduler sweeps, Operations operations) {
        this.database = database;
        this.background = background;
        this.inboxWriter = inboxWriter;
        this.app = app;
        this.admin = admin;
        this.worker = worker;
        this.pusher = pusher;
        this.sweeps = sweeps;
        this.operations = operations;
    }

    /** Builds and starts everything: HTTP server, webhook worker, pusher. */
    public static Connector start(ConnectorConfig config, Clock clock) {
        JsonMapper json = PipelineJson.mapper();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Refusals first (a store that loses commits, a keyset that is not the store's), before anything runs.
        Database database = Database.open(config.store());
        SecretBox secrets;
        try {
            secrets = StoreKeyset.open(database, config.secrets(), clock);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        TenantRepository tenants = new TenantRepository(database, clock);
        OAuthGrantRepository grants = new OAuthGrantRepository(database, secrets, clock);
        CallbackRepository callbacks = new CallbackRepository(database, secrets, clock, new SecureRandom());
        ExecutorService background = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "connector-background");
            t.setDaemon(true);
            return t;
        });

        // FreshBooks side
        ConnectorConfig.FreshBooks fb = config.freshbooks();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        FreshBooksOAuthClient oauth = new FreshBooksOAuthClient(fb.authBaseUrl(), fb.apiBaseUrl(), fb.clientId(),
                fb.clientSecret(), fb.redirectUri(), fb.scopes(), clock);
        FreshBooksApiClient api = new FreshBooksApiClient(http, fb.apiBaseUrl(), Duration.ofSeconds(30), json);
        TenantTokens tokens = new TenantTokens(grants, tenants, oauth, clock);
        WebhookSubscriptions subscriptions = new WebhookSubscriptions(callbacks, new CallbackRegistrar(api, json), tokens,
                config.server().publicBaseUrl(), background);
        Onboarding onboarding = new Onboarding(oauth, api, tenants, tokens);

        // Power BI side
        ConnectorConfig.PowerBi pbi = config.powerbi();
        PowerBiConnection powerBiSide = PowerBiConnection.from(pbi, clock);
        PushDatasetClient powerBi = powerBiSide.client();
        DatasetModel model = powerBiSide.model();
        DatasetProvisioner provisioner = powerBiSide.provisioner(); // used by the pusher, not at start-up

        // Between: inbox → worker → ledger → outbox → pusher
        ConnectorConfig.Pipeline pipe = config.pipeline();
        SecureRandom random = new SecureRandom();
        RecordApplier applier = new RecordApplier(database.jdbi(), MapperRegistry.standard(), new SignedRowLedger(json),
                json, clock);
        InboxQueue queue = new InboxQueue(database, pipe.coalesceWindow(), pipe.coalesceWindow().multipliedBy(10));
        FetchStamps fetchStamps = new FetchStamps(database.jdbi(), database.dialect());
        RecordFetcher fetcher = new RecordFetcher(api, tokens, fetchStamps);
        WebhookWorker worker = new WebhookWorker(queue, key -> fetcher.fetch(key, null), applier, ROUTE, clock,
                new RetryBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), random),
                new WebhookWorker.Claims(config.cluster().instanceId(), config.cluster().leaseDuration(),
                        pipe.deadLetterAfter()), 4);
        Outbox outbox = new Outbox(database, json);
        TableRebuilds rebuilds = new TableRebuilds(database, json);
        PushRoutes routes = new PushRoutes(database.jdbi());
        Leases leases = new Leases(database.jdbi(), config.cluster().instanceId(), config.cluster().leaseDuration());
        SchemaGuard guard = new SchemaGuard(database.jdbi(), ROUTE, clock, Duration.ofSeconds(30));
        Pusher pusher = new Pusher(outbox, rebuilds, routes, powerBi, provisioner, model, guard,
                new QuotaShaper(QuotaShaper.Limits.powerBiWithHeadroom(), clock),
                new RetryBackoff(Duration.ofMillis(500), Duration.ofMinutes(2), random),
                new Pusher.Target(ROUTE, pbi.workspaceId(), pbi.clientId()), clock, pipe.maxBatchRows(), MAX_BATCH_BYTES,
                new LeaseHolder(leases, Pusher.leaseName(ROUTE)), new DimensionTables(database.jdbi(), pipe.dimensionRefreshInterval()));
        Sweeper sweeper = new Sweeper(api, tokens, fetchStamps, applier, ROUTE);
        RetentionTask retention = new RetentionTask(database.jdbi(), clock, pipe.retention()); // started and closed with sweeps
        ControlTotals controlTotals = new ControlTotals(database.jdbi(), json, powerBi, routes, tenants, model,
                pusher::rebuild, ROUTE, pbi.workspaceId(), clock, pipe.controlTotalsInterval(), meters);
        SweepScheduler sweeps = new SweepScheduler(database.dataSource(), sweeper, tenants, clock,
                pipe.sweepInterval(), pipe.sweepOverlap(), List.of(retention.task(), controlTotals.task()));

        // Web: webhook intake (group commit), health, status API, metrics, OAuth redirect
        InboxWriter inboxWriter = new InboxWriter(database, new InboxRepository(), meters, 1000).start();
        WebhookIntake intake = new WebhookIntake(callbacks, inboxWriter, subscriptions, background, meters, clock,
                config.server().webhookStoreTimeout());
        Operations operations = new Operations(tenants, oauth, new OAuthStates(database.jdbi(), clock, random, config.admin().connectLinkLifetime()), background, onboarding,
                subscriptions, sweeper, queue, outbox, guard, rebuilds, routes, pusher, provisioner, model, ROUTE,
                pbi.workspaceId(), clock, new SweepRuns(database.jdbi()), controlTotals, inboxWriter, leases);
        // Two surfaces (issue 10): the public one faces FreshBooks and browsers; status, metrics and actions are admin.
        URI publicUrl = config.server().publicBaseUrl();
        ConnectorApp app = new ConnectorApp(config.server(), List.of(
                new WebhookRoutes(intake),
                new HealthRoutes(database),
                new OAuthRoutes(operations, "https".equalsIgnoreCase(publicUrl.getScheme()))), json).start();
        ConnectorApp admin;
        try {
            admin = new ConnectorApp(config.admin().bindHost(), config.admin().port(), List.of(
                    new AdminAuth(config.admin().token()),
                    new ApiRoutes(operations, meters, publicUrl, config.admin().connectLinkLifetime()),
                    new StatusPageRoutes(operations, new io.mlconnector.status.RecentActivity(database.jdbi(), clock))),
                    json).start();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }

        registerPushGauges(meters, routes, outbox);
        Gauge.builder("inbox_dead_letters", queue, InboxQueue::deadLetterCount)
                .description("Records no longer fetched after pipeline.dead-letter-after failures; mlc status lists them")
                .register(meters);
        FreshBooksReachability.warnInBackgroundIfUnreachable(config.freshbooks().apiBaseUrl());
        worker.start(Duration.ofMillis(200));
        pusher.start();
        sweeps.start();
        return new Connector(database, background, inboxWriter, app, admin, worker, pusher, sweeps, operations);
    }

    /** What to alert on at the Power BI end: a paused route, rows quarantined, outcomes being found out. */
    private static void registerPushGauges(PrometheusMeterRegistry meters, PushRoutes routes, Outbox outbox) {
        Gauge.builder("powerbi_route_paused", routes, r -> r.find(ROUTE).filter(PushRoutes.Route::paused).isPresent() ? 1 : 0)
                .description("1 while the route to Power BI is paused (401/403, Entra ID unreachable, dataset gone, no dataset to be had)")
                .register(meters);
        Gauge.builder("outbox_quarantined_batches", outbox, o -> o.quarantined().size())
                .description("Batches (one row each, after bisection) Power BI refused; mlc status lists them")
                .register(meters);
        Gauge.builder("outbox_unknown_outcome_batches", outbox, Outbox::postingBatchCount)
                .description("Batches posted whose outcome is not known yet (being resolved)").register(meters);
    }

    /** The public listener's port (webhooks, OAuth, health). */
    public int port() {
        return app.port();
    }

    /** The admin listener's port (status API, metrics, actions, connect links). */
    public int adminPort() {
        return admin.port();
    }

    /** What users and the CLI do with a running connector: connect, register, backfill, status. */
    public Operations operations() {
        return operations;
    }

    /** Stops taking webhooks first, then the workers, then the store. */
    @Override
    public void close() {
        app.close();
        admin.close();
        inboxWriter.close();
        worker.close();
        pusher.close();
        sweeps.close();
        background.shutdownNow();
        database.close();
    }
}
