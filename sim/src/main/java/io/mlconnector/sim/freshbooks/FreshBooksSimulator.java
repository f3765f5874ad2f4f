package io.mlconnector.sim.freshbooks;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.Loopback;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FreshBooks simulator: one plain-HTTP server for OAuth, identity, the accounting API, ledger accounts and the
 * events service, plus a generator that keeps its businesses trading and a truth API for tests.
 * Follows {@code reference/freshbooks-api.md}; the choices where that reference is silent are listed in
 * {@link FreshBooksConfig.Behaviour} and {@link DeliveryFaults}.
 *
 * <pre>
 * var sim = new FreshBooksSimulator(FreshBooksConfig.demo(), clock).start(0);
 * String code = sim.mintAuthorizationCode(FreshBooksConfig.DEMO_CLIENT_ID, redirectUri, null, sim.demoUser().identityId());
 * sim.generator().step(100);
 * Truth t = sim.truth("ACM123");
 * </pre>
 */
public final class FreshBooksSimulator implements AutoCloseable {

    private final FreshBooksConfig config;
    private final Clock clock;
    private final Directory directory = new Directory();
    private final OAuthServer oauth;
    private final WebhookDispatcher webhooks;
    private final AccountingStore store;
    private final BusinessGenerator generator;
    private final FaultInjector apiFaults;
    private final Random idRandom;
    private final AtomicLong nextIdentity = new AtomicLong(20_001);
    private final AtomicLong nextBusinessId = new AtomicLong(500_001);
    private final List<ApiRequest> requestLog = new CopyOnWriteArrayList<>();
    private final List<RecordChange> changeLog = new CopyOnWriteArrayList<>();
    private volatile long approvingIdentity;
    private Javalin server;

    public FreshBooksSimulator(FreshBooksConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.oauth = new OAuthServer(clock, config.behaviour(), config.apps());
        this.webhooks = new WebhookDispatcher(clock, config.behaviour(), config.seed() + 1);
        this.store = new AccountingStore(clock, event -> {
            changeLog.add(new RecordChange(clock.instant(), event));
            webhooks.publish(event);
        }, config.seed() + 2);
        this.generator = new BusinessGenerator(store, directory, config.seed() + 3);
        this.apiFaults = new FaultInjector(clock, config.seed() + 4);
        this.idRandom = new Random(config.seed() + 5);
        for (SimUser u : config.users()) {
            addUser(u);
        }
        this.approvingIdentity = config.users().isEmpty() ? 0 : config.users().get(0).identityId();
    }

    /** Starts the server on {@code port} (0 = any free port) on loopback only: it approves OAuth for anyone who asks. */
    public FreshBooksSimulator start(int port) {
        return start(Loopback.HOST, port);
    }

    /** Starts the server on {@code bindHost} (e.g. 0.0.0.0 for every interface) and {@code port}. */
    public synchronized FreshBooksSimulator start(String bindHost, int port) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        FreshBooksRoutes routes = new FreshBooksRoutes(clock, config.behaviour(), directory, oauth, store, webhooks,
                apiFaults, () -> approvingIdentity, requestLog::add);
        server = Javalin.create(cfg -> {
            cfg.jsonMapper(new JavalinJackson3(Json.MAPPER, false));
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = bindHost;
            cfg.jetty.port = port;
            routes.install(cfg.routes);
        }).start();
        return this;
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.port();
    }

    /** {@code http://localhost:<port>}: both the API base and the auth base (authorize is {@code /oauth/authorize}). */
    public String baseUrl() {
        return "http://localhost:" + port();
    }

    public synchronized void stop() {
        generator.stopTimer();
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
        generator.close();
        webhooks.close();
    }

    // ---------------------------------------------------------------- identities and authorization

    public FreshBooksConfig config() {
        return config;
    }

    /** The demo OAuth app ({@link FreshBooksConfig#DEMO_CLIENT_ID} / {@link FreshBooksConfig#DEMO_CLIENT_SECRET}). */
    public OAuthApp demoApp() {
        return config.apps().get(0);
    }

    public void registerApp(OAuthApp app) {
        oauth.register(app);
    }

    public List<SimUser> users() {
        return directory.users();
    }

    public SimUser demoUser() {
        return directory.users().get(0);
    }

    public List<SimBusiness> businesses() {
        return directory.businesses();
    }

    /** Adds an identity (and opens the books of its businesses). */
    public SimUser addUser(SimUser user) {
        directory.add(user);
        user.memberships().forEach(m -> store.addBusiness(m.business()));
        return user;
    }

    /** Creates an owner with a new business of their own: fresh account_id, business id and business_uuid. */
    public synchronized SimUser createUser(String email, String businessName, String currencyCode) {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder accountId = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            accountId.append(alphabet.charAt(idRandom.nextInt(alphabet.length())));
        }
        long businessId = nextBusinessId.getAndIncrement();
        SimBusiness b = new SimBusiness(accountId.toString(), businessId, uuid(), businessName, currencyCode);
        long identity = nextIdentity.getAndIncrement();
        return addUser(new SimUser(identity, uuid(), email, "Sim", "Owner" + identity,
                List.of(new Membership(identity * 10, b, 1, "owner"))));
    }

    /** Who approves browser-less {@code /oauth/authorize} requests from now on. */
    public void approveAs(long identityId) {
        directory.user(identityId).orElseThrow(() -> new IllegalArgumentException("unknown identity " + identityId));
        approvingIdentity = identityId;
    }

    /** An authorization code as if {@code identityId} had approved in a browser; {@code scope} null = the app's scopes. */
    public String mintAuthorizationCode(String clientId, String redirectUri, String scope, long identityId) {
        return oauth.authorize(clientId, redirectUri, scope, identityId);
    }

    /** Tokens for the demo app as the demo user, skipping the browser: handy for tests of everything after OAuth. */
    public OAuthServer.TokenResponse demoTokens(String scope) {
        OAuthApp app = demoApp();
        String redirect = app.redirectUris().get(0);
        String code = oauth.authorize(app.clientId(), redirect, scope, demoUser().identityId());
        return oauth.exchangeCode(app.clientId(), app.clientSecret(), code, redirect);
    }

    /** The business owner as an actor, for changes made from Java that should fire webhooks like API changes. */
    public Actor ownerActor(String accountId) {
        var owner = directory.ownerOf(accountId).orElseThrow(() -> new IllegalArgumentException("no owner of " + accountId));
        return new Actor(owner.getKey().identityId(), owner.getValue().userId());
    }

    // ---------------------------------------------------------------- collaborators

    public OAuthServer oauth() {
        return oauth;
    }

    public AccountingStore store() {
        return store;
    }

    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    public BusinessGenerator generator() {
        return generator;
    }

    /** 429 / 5xx / latency on API requests (paths under {@code /sim/} are never faulted). */
    public FaultInjector apiFaults() {
        return apiFaults;
    }

    public DeliveryFaults deliveryFaults() {
        return webhooks.faults();
    }

    public List<DeliveryAttempt> deliveryLog() {
        return webhooks.deliveryLog();
    }

    /** Every request answered (paths under {@code /sim/} aside), oldest first. */
    public List<ApiRequest> requestLog() {
        return List.copyOf(requestLog);
    }

    /** Every change of a record that FreshBooks reports by webhook, oldest first. */
    public List<RecordChange> changeLog() {
        return List.copyOf(changeLog);
    }

    public Truth truth(String accountId) {
        return store.truth(accountId);
    }

    private String uuid() {
        return new java.util.UUID((idRandom.nextLong() & ~0xF000L) | 0x4000L,
                (idRandom.nextLong() & ~(3L << 62)) | (1L << 63)).toString();
    }

    /** Standalone: {@code java ... FreshBooksSimulator [port]}; the demo businesses trade every two seconds. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
        FreshBooksSimulator sim = new FreshBooksSimulator(FreshBooksConfig.demo(), Clock.systemUTC()).start(port);
        sim.generator().startTimer(Duration.ofSeconds(2), 1);
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
        System.out.println("FreshBooks simulator on " + sim.baseUrl() + " client_id=" + FreshBooksConfig.DEMO_CLIENT_ID);
    }
}
