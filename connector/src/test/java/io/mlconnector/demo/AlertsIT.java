package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.mlconnector.app.Operations;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.powerbi.DatasetDefinition;
import io.mlconnector.store.Tenant;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 12's alerts test: the connector with the simulators and {@code alerts.webhook-url} pointing at a local
 * receiver. A revoked FreshBooks grant and a refused column each produce exactly one alert, and one "resolved" after
 * the fix (reconnecting; {@code mlc dataset sync}). The receiver fails its first request, so the sender's retry is
 * part of the path.
 */
class AlertsIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TABLE = "payments";
    private static final String COLUMN = "payment_type";

    @TempDir
    Path dataDir;

    private HttpServer receiver;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alerts", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            // The first request fails as a flaky receiver would: the alert must still arrive, once.
            int status = requests.incrementAndGet() == 1 ? 503 : 200;
            if (status == 200) {
                received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private DemoWorld start(long seed) {
        DemoWorld world = DemoWorld.withoutConnector(new DemoWorld.Options(dataDir, seed, 0, Duration.ofSeconds(3599),
                43_200, Duration.ofMillis(300)), Clock.systemUTC());
        try {
            world.startConnector(Map.of(
                    "ML_CONNECTOR_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts",
                    "ML_CONNECTOR_ALERTS_CHECK_INTERVAL", "300ms",
                    // Freshness has its own unit test; here a loaded machine must not add its alerts.
                    "ML_CONNECTOR_ALERTS_FRESHNESS_OBJECTIVE", "10m"));
            world.connector().operations().awaitPowerBi(Duration.ofSeconds(60));
            return world;
        } catch (RuntimeException e) {
            world.close();
            throw e;
        }
    }

    @Test
    void aRevokedGrantAlertsOnceAndResolvesOnceAfterReconnecting() {
        try (DemoWorld world = start(23)) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(40);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            freshBooks.generator().step(20);
            awaitNothingWaits(world);
            assertThat(received).as("no alert while all is well").isEmpty();

            // The demo owner disconnects the app in FreshBooks: both businesses on that grant lose access.
            assertThat(freshBooks.oauth().revokeIdentity(freshBooks.demoUser().identityId())).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                freshBooks.generator().step(10); // changes to fetch, so the connector finds out
                return !alerts("firing", "reauthorization").isEmpty();
            });
            JsonNode alert = alerts("firing", "reauthorization").get(0);
            assertThat(alert.path("text").asString()).startsWith("[ALERT] ").contains("re-authorization", "mlc connect freshbooks");
            long needing = world.connector().operations().tenants().stream()
                    .filter(t -> t.status() == Tenant.TenantStatus.NEEDS_REAUTHORIZATION).count();
            assertThat(needing).as("tenants on the revoked grant").isEqualTo(2);
            long owner = freshBooks.demoUser().identityId();
            List<String> ownersBusinesses = tenants.stream().filter(t -> t.identityId() != null && t.identityId() == owner)
                    .map(Tenant::businessName).toList();
            assertThat(ownersBusinesses).hasSize(2);
            assertThat(alert.path("message").asString()).as("one alert names both businesses of the grant")
                    .contains(ownersBusinesses);
            holdOnFor(Duration.ofSeconds(3), "reauthorization");

            world.connectBusinesses(); // the owner connects again
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !alerts("resolved", "reauthorization").isEmpty());
            holdOnFor(Duration.ofSeconds(3), "reauthorization");
            assertThat(alerts("resolved", "reauthorization")).singleElement()
                    .satisfies(r -> assertThat(r.path("text").asString()).startsWith("[RESOLVED] "));
            assertThat(received).as("nothing but the re-authorization alert and its resolution: " + received)
                    .allSatisfy(n -> assertThat(n.path("alert").asString()).isEqualTo("reauthorization"));
            assertThat(requests.get()).as("the first POST failed and was retried").isEqualTo(3);
        }
    }

    @Test
    void aRefusedColumnAlertsOnceAndResolvesOnceAfterTheSync() {
        try (DemoWorld world = start(29)) {
            Operations operations = world.connector().operations();
            String datasetId = operations.status().datasetId();
            removeColumn(world, datasetId);
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(150);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                operations.backfill(tenant.tenantId(), progress -> {});
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                freshBooks.generator().step(10); // live changes, payments among them
                return !alerts("firing", "table_blocked").isEmpty();
            });
            JsonNode alert = alerts("firing", "table_blocked").get(0);
            assertThat(alert.path("subject").asString()).isEqualTo(TABLE);
            assertThat(alert.path("fix").asString()).contains("mlc dataset sync");
            holdOnFor(Duration.ofSeconds(3), "table_blocked");

            operations.syncDataset();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !alerts("resolved", "table_blocked").isEmpty());
            holdOnFor(Duration.ofSeconds(3), "table_blocked");
            assertThat(alerts("resolved", "table_blocked")).singleElement()
                    .satisfies(r -> assertThat(r.path("subject").asString()).isEqualTo(TABLE));
            assertThat(received).as("nothing but the blocked table's alert and resolution: " + received)
                    .allSatisfy(n -> assertThat(n.path("alert").asString()).isEqualTo("table_blocked"));
        }
    }

    /** Over {@code during}, still exactly one firing alert of {@code kind}, and at most one resolution. */
    private void holdOnFor(Duration during, String kind) {
        await().during(during).atMost(during.plusSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() ->
                alerts("firing", kind).size() == 1 && alerts("resolved", kind).size() <= 1);
    }

    private List<JsonNode> alerts(String status, String kind) {
        return received.stream().filter(n -> n.path("status").asString().equals(status)
                && n.path("alert").asString().equals(kind)).toList();
    }

    private static void awaitNothingWaits(DemoWorld world) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            Operations.Status status = world.connector().operations().status();
            return status.inboxPending() == 0 && status.outboxUnsent() == 0;
        });
    }

    /** What a user changing the dataset by hand would do: PUT the table with one column left out (as SchemaMismatchIT). */
    private static void removeColumn(DemoWorld world, String datasetId) {
        DatasetModel.Table full = DatasetModel.PAYMENTS;
        DatasetModel.Table reduced = new DatasetModel.Table(full.name(),
                full.columns().stream().filter(c -> !c.name().equals(COLUMN)).toList(), full.measures());
        DatasetDefinition.Table put = world.simulators().powerBi().store().putTable(
                world.simulators().demoApp().clientId(), world.simulators().demoWorkspaceId(), datasetId, TABLE,
                DatasetModel.toTableJson(reduced));
        assertThat(put.column(COLUMN)).isEqualTo(Optional.empty());
    }
}
