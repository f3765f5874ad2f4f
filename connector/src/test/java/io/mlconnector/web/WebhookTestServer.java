package io.mlconnector.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.store.Callback;
import io.mlconnector.store.CallbackRepository;
import io.mlconnector.store.Database;
import io.mlconnector.store.InboxRepository;
import io.mlconnector.store.InboxWriter;
import io.mlconnector.store.SecretBox;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The webhook intake wired for real: H2 file in a temp dir, group commit, Javalin on a free loopback port. */
public final class WebhookTestServer implements AutoCloseable {

    public final Database database;
    public final SecretBox secrets;
    public final TenantRepository tenants;
    public final CallbackRepository callbacks;
    public final InboxRepository inboxRepository = new InboxRepository();
    public final InboxWriter inboxWriter;
    public final MeterRegistry meters = new SimpleMeterRegistry();
    public final ConcurrentLinkedQueue<String> verifiedTokens = new ConcurrentLinkedQueue<>();
    public final ConnectorApp app;
    private final ExecutorService listenerExecutor = Executors.newSingleThreadExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public WebhookTestServer(Path dir) {
        this(dir, TestDatabases.h2(dir));
    }

    /** With an explicit database for the inbox writer (e.g. a broken one). */
    public WebhookTestServer(Path dir, Database database) {
        this(dir, database, database);
    }

    public WebhookTestServer(Path dir, Database database, Database inboxDatabase) {
        Clock clock = Clock.systemUTC();
        this.database = database;
        this.secrets = SecretBox.open(dir.resolve("keyset.json"));
        this.tenants = new TenantRepository(database, clock);
        this.callbacks = new CallbackRepository(database, secrets, clock, new SecureRandom());
        this.inboxWriter = new InboxWriter(inboxDatabase, inboxRepository, meters, 1000).start();
        WebhookIntake intake = new WebhookIntake(callbacks, inboxWriter, verifiedTokens::add, listenerExecutor, meters,
                clock, Duration.ofSeconds(5));
        ConnectorConfig.Server server = new ConnectorConfig.Server("127.0.0.1", 0, URI.create("https://hooks.example.com"),
                Duration.ofSeconds(5));
        this.app = new ConnectorApp(server, List.of(new WebhookRoutes(intake), new HealthRoutes(database))).start();
    }

    /** A tenant with a verified callback whose deliveries are signed with the verifier; returns the URI token. */
    public String verifiedCallback(String tenantId, long callbackId, String verifier) {
        if (tenants.find(tenantId).isEmpty()) {
            tenants.upsertFromDiscovery(tenantId, 439000, "uuid-" + tenantId, "Business " + tenantId, null);
        }
        Callback callback = callbacks.createPending(tenantId, "invoice");
        callbacks.setCallbackId(callback.uriToken(), callbackId);
        callbacks.storeVerifier(callback.uriToken(), verifier);
        callbacks.markVerified(callback.uriToken());
        return callback.uriToken();
    }

    public URI hookUri(String token) {
        return URI.create("http://127.0.0.1:" + app.port() + "/hooks/freshbooks/" + token);
    }

    public HttpResponse<String> post(String token, String body, String signature) throws IOException, InterruptedException {
        return post(hookUri(token), HttpRequest.BodyPublishers.ofString(body), signature);
    }

    public HttpResponse<String> post(URI uri, HttpRequest.BodyPublisher body, String signature) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(body);
        if (signature != null) {
            request.header("X-FreshBooks-Hmac-SHA256", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    public long inboxCount() {
        return database.jdbi().withHandle(inboxRepository::count);
    }

    @Override
    public void close() {
        app.close();
        inboxWriter.close();
        listenerExecutor.shutdownNow();
        database.close();
    }
}
