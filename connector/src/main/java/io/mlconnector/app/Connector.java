package io.mlconnector.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlconnector.alerts.AlertConditions;
import io.mlconnector.alerts.AlertEpisodes;
import io.mlconnector.alerts.AlertMonitor;
import io.mlconnector.alerts.AlertRules;
import io.mlconnector.alerts.AlertSender;
import io.mlconnector.cluster.LeaseHolder;
import io.mlconnector.metrics.ConnectorMetrics;
import io.mlconnector.metrics.PipelineReadings;
import io.mlconnector.pipeline.WaitingChanges;
import io.mlconnector.web.Readiness;
import io.mlconnector.web.ReadyRoutes;
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
import java.util.Map;
import java.util.Optional;
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
    /** Alerts and metrics: closed before the workers. */
    private final List<AutoCloseable> observers;

    private Connector(Database database, ExecutorService background, InboxWriter inboxWriter, ConnectorApp app,
                      ConnectorApp admin, WebhookWorker worker, Pusher pusher, SweepScheduler sweeps, Operations operations,
                      List<AutoCloseable> observers) {
        this.observers = observers;
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
        ConnectorMetrics metrics = new ConnectorMetrics(meters); // JVM meters now; store gauges once the store is open
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
        TenantTokens tokens = new TenantTokens(grants, tenants, oauth, clock, metrics.tokenRefreshes("freshbooks"));
        WebhookSubscriptions subscriptions = new WebhookSubscriptions(callbacks, new CallbackRegistrar(api, json), tokens,
                config.server().publicBaseUrl(), background);
        Onboarding onboarding = new Onboarding(oauth, api, tenants, tokens);

        // Power BI side
        ConnectorConfig.PowerBi pbi = config.powerbi();
        PowerBiConnection powerBiSide = PowerBiConnection.from(pbi, clock, metrics.tokenRefreshes("powerbi"));
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
        WebhookWorker worker = new WebhookWorker(queue, metrics.meter((WebhookWorker.Fetch) key -> fetcher.fetch(key, null)), applier, ROUTE, clock,
                new RetryBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), random),
                new WebhookWorker.Claims(config.cluster().instanceId(), config.cluster().leaseDuration(),
                        pipe.deadLetterAfter()), 4);
        Outbox outbox = new Outbox(database, json);
        TableRebuilds rebuilds = new TableRebuilds(database, json);
        PushRoutes routes = new PushRoutes(database.jdbi());
        Leases leases = new Leases(database.jdbi(), config.cluster().instanceId(), config.cluster().leaseDuration());
        SchemaGuard guard = new SchemaGuard(database.jdbi(), ROUTE, clock, Duration.ofSeconds(30));
        Pusher pusher = new Pusher(outbox, rebuilds, routes, metrics.meter(powerBi), provisioner, model, guard,
                new QuotaShaper(QuotaShaper.Limits.powerBiWithHeadroom(), clock),
                new RetryBackoff(Duration.ofMillis(500), Duration.ofMinutes(2), random),
                new Pusher.Target(ROUTE, pbi.workspaceId(), pbi.clientId()), clock, pipe.maxBatchRows(), MAX_BATCH_BYTES,
                new LeaseHolder(leases, Pusher.leaseName(ROUTE)), new DimensionTables(database.jdbi(), pipe.dimensionRefreshInterval()),
                metrics.pushObserver(outbox));
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
        Operations operations = new Operations(tenants, oauth, new OAuthStates(database, clock, random, config.admin().connectLinkLifetime()), background, onboarding,
                subscriptions, sweeper, queue, outbox, guard, rebuilds, routes, pusher, provisioner, model, ROUTE,
                pbi.workspaceId(), clock, new SweepRuns(database.jdbi()), controlTotals, inboxWriter, leases,
                new io.mlconnector.pipeline.Backfills(sweeper, database.jdbi(), leases, background, clock,
                        io.mlconnector.pipeline.BackfillProgress::logged),
                new io.mlconnector.pipeline.RecordLineage(database.jdbi()),
                new io.mlconnector.pipeline.ReplaySelection(database.jdbi(), outbox, queue));
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
                    new StatusPageRoutes(operations, new io.mlconnector.status.RecentActivity(database.jdbi(), clock)),
                    new ReadyRoutes(readiness(database, secrets, worker, pusher, routes))), json).start();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }

        registerPushGauges(meters, routes, outbox);
        Gauge.builder("inbox_dead_letters", queue, InboxQueue::deadLetterCount)
                .description("Records no longer fetched after pipeline.dead-letter-after failures; mlc status lists them")
                .register(meters);
        FreshBooksReachability.warnInBackgroundIfUnreachable(config.freshbooks().apiBaseUrl());
        WaitingChanges waiting = new WaitingChanges(database.jdbi());
        metrics.registerStoreGauges(new PipelineReadings(queue, outbox, tenants, guard, waiting), clock);
        worker.start(Duration.ofMillis(200));
        pusher.start();
        sweeps.start();
        AlertMonitor alerts = startAlerts(config, clock, json, database, leases, new AlertConditions(tenants, guard, routes,
                ROUTE, queue, outbox, controlTotals, waiting, config.alerts().freshnessObjective(), clock));
        return new Connector(database, background, inboxWriter, app, admin, worker, pusher, sweeps, operations,
                List.of(alerts, metrics));
    }

    /** {@code GET /ready}'s checks (issue 12): store, workers, keyset, Power BI route. */
    private static Readiness readiness(Database database, SecretBox secrets, WebhookWorker worker, Pusher pusher,
                                       PushRoutes routes) {
        return new Readiness(List.of(
                new Readiness.Check("store", () -> database.jdbi().withHandle(h -> h.createQuery("SELECT 1")
                        .mapTo(Integer.class).one()) == 1 ? Optional.empty() : Optional.of("the store does not answer")),
                new Readiness.Check("workers", () -> !worker.running(Duration.ofSeconds(30))
                        ? Optional.of("the webhook worker has not dispatched for 30 s")
                        : !pusher.running() ? Optional.of("the pusher's thread is not running") : Optional.empty()),
                new Readiness.Check("keyset", () -> StoreKeyset.stillDecrypts(database, secrets) ? Optional.empty()
                        : Optional.of("the secrets keyset does not decrypt the store's key-check value (secrets.keyset-path)")),
                new Readiness.Check("powerbi_route", () -> routes.find(ROUTE).filter(PushRoutes.Route::paused)
                        .map(r -> "paused: " + r.pausedReason() + "; fix: " + r.pausedFix()))));
    }

    /** Alerts (issue 12): evaluated on the one instance holding the {@code alerts} lease, from the store. */
    private static AlertMonitor startAlerts(ConnectorConfig config, Clock clock, JsonMapper json, Database database,
                                            Leases leases, AlertConditions conditions) {
        ConnectorConfig.Alerts settings = config.alerts();
        AlertSender sender = new AlertSender(settings.webhookUrl(), config.cluster().instanceId(),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), json, Duration.ofSeconds(1),
                Duration.ofMinutes(1), 8);
        AlertRules rules = new AlertRules(Map.of(AlertRules.Kind.CONTROL_TOTALS, settings.controlTotalsGrace()));
        return new AlertMonitor(conditions, new AlertEpisodes(database.jdbi()), rules, sender,
                new LeaseHolder(leases, AlertMonitor.LEASE), clock).start(settings.checkInterval());
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
        for (AutoCloseable observer : observers) {
            try {
                observer.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
        inboxWriter.close();
        worker.close();
        pusher.close();
        sweeps.close();
        background.shutdownNow();
        database.close();
    }
}
