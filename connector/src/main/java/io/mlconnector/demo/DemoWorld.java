package io.mlconnector.demo;

import io.mlconnector.app.Connector;
import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.sim.Simulators;
import io.mlconnector.sim.freshbooks.FreshBooksConfig;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.OAuthApp;
import io.mlconnector.sim.freshbooks.SimUser;
import io.mlconnector.store.Callback;
import io.mlconnector.store.Tenant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * The whole flow on one machine: the simulators, a connector configured against them, and the steps a
 * new user takes (connect the businesses through OAuth, register webhooks, backfill). Used by
 * {@code mlc demo} and by the end-to-end tests, so the tests exercise exactly what the demo shows.
 */
public final class DemoWorld implements AutoCloseable {
    /** The connector's OAuth app at the simulated FreshBooks. */
    static final String CLIENT_ID = "mlc-demo-connector";
    static final String CLIENT_SECRET = "mlc-demo-connector-secret";

    private final Simulators simulators;
    private final String configYaml;
    private ConnectorConfig config; // the running connector's: the YAML with its environment on top
    private final Clock clock;
    private Connector connector;

    private DemoWorld(Simulators simulators, String configYaml, ConnectorConfig config, Clock clock) {
        this.simulators = simulators;
        this.configYaml = configYaml;
        this.config = config;
        this.clock = clock;
    }

    /** How the world is set up; {@link #defaults(Path)} is what {@code mlc demo} uses. */
    public record Options(Path dataDir, long seed, int simulatorPort, Duration powerBiTokenLifetime,
                          int freshBooksAccessTokenSeconds, Duration coalesceWindow, ConnectorConfig.Store store,
                          Duration powerBiRequestTimeout) {
        /** With the default store (an H2 file in {@code dataDir}) and Power BI request timeout (60 s). */
        public Options(Path dataDir, long seed, int simulatorPort, Duration powerBiTokenLifetime,
                       int freshBooksAccessTokenSeconds, Duration coalesceWindow) {
            this(dataDir, seed, simulatorPort, powerBiTokenLifetime, freshBooksAccessTokenSeconds, coalesceWindow, null,
                    Duration.ofSeconds(60));
        }

        public static Options defaults(Path dataDir) {
            return new Options(dataDir, 42, 0, Duration.ofSeconds(3599), 43_200, Duration.ofMillis(500));
        }

        /** The same world on another store, e.g. PostgreSQL. */
        public Options withStore(ConnectorConfig.Store other) {
            return new Options(dataDir, seed, simulatorPort, powerBiTokenLifetime, freshBooksAccessTokenSeconds,
                    coalesceWindow, other, powerBiRequestTimeout);
        }

        /** A shorter {@code powerbi.request-timeout}, for tests of POSTs whose answer never comes. */
        public Options withPowerBiRequestTimeout(Duration timeout) {
            return new Options(dataDir, seed, simulatorPort, powerBiTokenLifetime, freshBooksAccessTokenSeconds,
                    coalesceWindow, store, timeout);
        }
    }

    /** Starts the simulators and a connector against them (no tenant connected yet). */
    public static DemoWorld start(Options options, Clock clock) {
        DemoWorld world = withoutConnector(options, clock);
        try {
            world.startConnector(Map.of());
            world.connector.operations().awaitPowerBi(Duration.ofSeconds(60));
            return world;
        } catch (RuntimeException e) {
            world.close();
            throw e;
        }
    }

    /**
     * Starts the simulators only, for a connector in this process started later by {@link #startConnector}: a test
     * first switches the simulators' behaviour (e.g. Power BI refusing to create datasets).
     */
    public static DemoWorld withoutConnector(Options options, Clock clock) {
        int port = freePort();
        return simulated(options, port, URI.create("http://127.0.0.1:" + port), clock);
    }

    /**
     * Starts the connector in this process with {@code environment} ({@code ML_CONNECTOR_*}) over the world's YAML,
     * as a user's environment would override the file. Does not wait for Power BI: it may be meant to pause.
     */
    public void startConnector(Map<String, String> environment) {
        if (connector != null) {
            throw new IllegalStateException("the connector runs already");
        }
        config = new ConfigLoader().parse(configYaml, environment);
        connector = Connector.start(config, clock);
    }

    /**
     * Starts the simulators only, with a connector configuration whose public base URL is a load balancer's on a
     * free loopback port: the connectors run in other processes behind it ({@link ConnectorCluster}), each on the
     * port its {@code ML_CONNECTOR_SERVER_PORT} gives. {@link #connector()} is null; use
     * {@link #connectThroughBrowser()} and {@link #awaitWebhooksVerified(Duration)}.
     */
    public static DemoWorld forCluster(Options options, Clock clock) {
        return simulated(options, 0, URI.create("http://127.0.0.1:" + freePort()), clock);
    }

    /** The simulators, the connector's OAuth app at FreshBooks and its configuration; no connector yet. */
    private static DemoWorld simulated(Options options, int port, URI publicUrl, Clock clock) {
        Simulators simulators = Simulators.start(options.simulatorPort(), new Simulators.Options(options.seed(),
                options.powerBiTokenLifetime(),
                FreshBooksConfig.Behaviour.strict().withAccessTokenSeconds(options.freshBooksAccessTokenSeconds())),
                clock);
        try {
            Files.createDirectories(options.dataDir());
            FreshBooksSimulator freshBooks = simulators.freshBooks();
            freshBooks.registerApp(new OAuthApp(CLIENT_ID, CLIENT_SECRET,
                    List.of(publicUrl + "/oauth/freshbooks/callback"), FreshBooksConfig.allScopes()));
            Path pem = options.dataDir().resolve("entra-simulator.pem");
            Files.writeString(pem, simulators.entra().certificatePem());
            String yaml = String.join("\n",
                    "server:",
                    "  port: " + port,
                    "  public-base-url: " + publicUrl,
                    "admin:",
                    "  port: 0", // any free port; a child process gets its own through ML_CONNECTOR_ADMIN_PORT
                    "store:",
                    options.store() == null
                            ? "  jdbc-url: jdbc:h2:file:" + options.dataDir().toAbsolutePath().resolve("ml-connector")
                                    + ";DB_CLOSE_ON_EXIT=FALSE"
                            : "  jdbc-url: " + options.store().jdbcUrl() + "\n  username: " + options.store().username()
                                    + "\n  password: '" + options.store().password() + "'",
                    "secrets:",
                    "  keyset-path: " + options.dataDir().toAbsolutePath().resolve("keyset.json"),
                    "freshbooks:",
                    "  api-base-url: " + freshBooks.baseUrl(),
                    "  auth-base-url: " + freshBooks.baseUrl(),
                    "  client-id: " + CLIENT_ID,
                    "  client-secret: " + CLIENT_SECRET,
                    "powerbi:",
                    "  authority-host: " + simulators.entra().baseUrl(),
                    "  tenant-id: " + simulators.demoApp().tenantId(),
                    "  client-id: " + simulators.demoApp().clientId(),
                    "  client-secret: " + simulators.demoApp().clientSecret(),
                    "  api-base-url: " + simulators.powerBi().baseUrl(),
                    "  workspace-id: " + simulators.demoWorkspaceId(),
                    "  dataset-name: FreshBooks (demo)",
                    "  request-timeout: " + options.powerBiRequestTimeout().toMillis() + "ms",
                    "  trusted-certificate-pem: " + pem.toAbsolutePath(),
                    "pipeline:",
                    "  coalesce-window: " + options.coalesceWindow().toMillis() + "ms",
                    "  dimension-refresh-interval: 15s", // a renamed client shows within seconds
                    "");
            ConnectorConfig config = new ConfigLoader().parse(yaml, Map.of());
            return new DemoWorld(simulators, yaml, config, clock);
        } catch (IOException e) {
            simulators.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            simulators.close();
            throw e;
        }
    }

    public Simulators simulators() {
        return simulators;
    }

    public FreshBooksSimulator freshBooks() {
        return simulators.freshBooks();
    }

    public Connector connector() {
        return connector;
    }

    public ConnectorConfig config() {
        return config;
    }

    /**
     * The connector's configuration as written in {@code ml-connector.yaml}: a copy of this world's connector
     * in another process (same port, store and keyset) uses it.
     */
    public String configYaml() {
        return configYaml;
    }

    /** Stops the in-process connector (the simulators keep running), e.g. to hand its store to another process. */
    public void stopConnector() {
        if (connector != null) {
            connector.close();
            connector = null;
        }
    }

    /** Stops the connector at once, as a crash would (no draining), and starts it again on the same store. */
    public void restartConnector() {
        connector.close();
        connector = Connector.start(config, clock);
        connector.operations().awaitPowerBi(Duration.ofSeconds(60));
    }

    /** As {@link #restartConnector()}, with {@code environment} ({@code ML_CONNECTOR_*}) over the world's YAML. */
    public void restartConnector(Map<String, String> environment) {
        stopConnector();
        startConnector(environment);
        connector.operations().awaitPowerBi(Duration.ofSeconds(60));
    }

    /**
     * Connects the demo owner's businesses (Acme, Globex) and one more user's business (Initech): two
     * OAuth authorizations through the simulator's real authorize and token endpoints.
     */
    public List<Tenant> connectBusinesses() {
        FreshBooksSimulator freshBooks = simulators.freshBooks();
        List<Tenant> tenants = new ArrayList<>();
        for (SimUser user : authorizingUsers()) {
            freshBooks.approveAs(user.identityId());
            tenants.addAll(connector.operations().connect(authorize()));
        }
        return tenants;
    }

    /** As {@link #connectThroughBrowser(URI)} with the in-process connector's admin listener. */
    public void connectThroughBrowser() {
        connectThroughBrowser(adminUrl());
    }

    /** The in-process connector's admin listener (status API, metrics, connect links). */
    public URI adminUrl() {
        return URI.create("http://127.0.0.1:" + connector.adminPort());
    }

    /**
     * Connects the same businesses as {@link #connectBusinesses()} the way a person does: an admin mints a one-time
     * link ({@code POST /api/connect/freshbooks} at {@code adminUrl}, as {@code mlc connect freshbooks} does), the
     * browser opens it at the public base URL ({@code /oauth/freshbooks/start?link=...}), FreshBooks' authorize page
     * (the simulator approves), then the connector's callback, which registers the webhooks and starts the backfill by
     * itself. The browser keeps cookies: the callback needs the one the start set, and a balancer's sticky cookie
     * brings the callback back to the instance that issued the OAuth {@code state}.
     */
    public void connectThroughBrowser(URI adminUrl) {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();
        for (SimUser user : authorizingUsers()) {
            simulators.freshBooks().approveAs(user.identityId());
            URI start = mintConnectLink(adminUrl);
            try {
                HttpResponse<String> page = browser.send(HttpRequest.newBuilder(start).timeout(Duration.ofSeconds(60))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() != 200 || !page.body().contains("Connected:")) {
                    throw new IllegalStateException("connecting " + user.email() + " through " + start + " ended at "
                            + page.uri() + " with HTTP " + page.statusCode() + ": " + page.body().replaceAll("<[^>]+>", ""));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("connecting " + user.email() + " through " + start + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A one-time connect link from the admin API at {@code adminUrl} (no token: the demo's admin listener is on loopback). */
    public static URI mintConnectLink(URI adminUrl) {
        URI api = URI.create(adminUrl.toString().replaceAll("/+$", "") + "/api/connect/freshbooks");
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api)
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("POST " + api + " answered HTTP " + answer.statusCode() + ": " + answer.body());
            }
            return URI.create(tools.jackson.databind.json.JsonMapper.builder().build().readTree(answer.body())
                    .path("link").asString());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + api + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until FreshBooks has verified every webhook of the connected businesses (as FreshBooks sees them: the
     * connectors may run in other processes).
     */
    public void awaitWebhooksVerified(Duration timeout) {
        List<String> accounts = authorizingUsers().stream()
                .flatMap(u -> u.memberships().stream().map(m -> m.business().accountId())).toList();
        Instant deadline = Instant.now().plus(timeout);
        while (!accounts.stream().allMatch(this::webhooksVerified)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("webhooks of " + accounts + " not all registered and verified within " + timeout);
            }
            pause(Duration.ofMillis(50)); // a handshake in progress over HTTP; nothing to wait on directly
        }
    }

    private boolean webhooksVerified(String accountId) {
        List<ObjectNode> callbacks = simulators.freshBooks().webhooks().list(accountId, null);
        return !callbacks.isEmpty() && callbacks.stream().allMatch(c -> c.path("verified").asBoolean());
    }

    /** The demo owner (Acme, Globex) and Initech's owner, created on first use. */
    private List<SimUser> authorizingUsers() {
        FreshBooksSimulator freshBooks = simulators.freshBooks();
        SimUser initech = freshBooks.users().stream().filter(u -> u.email().equals("ops@initech.example")).findFirst()
                .orElseGet(() -> freshBooks.createUser("ops@initech.example", "Initech", "USD"));
        return List.of(FreshBooksConfig.DEMO_OWNER, initech);
    }

    /** Opens the authorization URL as the approving user's browser would, and reads the code off the redirect. */
    private String authorize() {
        URI url = connector.operations().beginConnect(connector.operations().mintConnectLink()).orElseThrow()
                .authorizationUrl();
        String state = url.getQuery().replaceAll(".*state=([^&]+).*", "$1");
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            String location = response.headers().firstValue("Location").orElseThrow(
                    () -> new IllegalStateException("FreshBooks did not redirect: " + response.statusCode()));
            Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
            if (!location.contains("state=" + state) || !code.find()) {
                throw new IllegalStateException("unexpected OAuth redirect " + location);
            }
            return code.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Registers every tenant's webhooks and waits until FreshBooks has verified them all. */
    public void registerWebhooks(Duration timeout) {
        List<Tenant> tenants = connector.operations().tenants();
        for (Tenant tenant : tenants) {
            connector.operations().registerWebhooks(tenant.tenantId());
        }
        Instant deadline = Instant.now().plus(timeout);
        while (!tenants.stream().allMatch(t -> connector.operations().webhooks(t.tenantId()).stream()
                .allMatch(Callback::verified))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("webhooks not verified within " + timeout);
            }
            pause(Duration.ofMillis(50)); // a handshake in progress over HTTP; nothing to wait on directly
        }
    }

    @Override
    public void close() {
        if (connector != null) {
            connector.close();
        }
        simulators.close();
    }

    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A loopback port free right now (a small race with other processes, as for any test server). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
