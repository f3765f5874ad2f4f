package io.mlconnector.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlconnector.cluster.LeaseHolder;
import io.mlconnector.cluster.Leases;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.pipeline.WaitingChanges;
import io.mlconnector.pipeline.reconcile.ControlTotals;
import io.mlconnector.store.Database;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL evaluate alerts: only the holder of the {@code alerts} lease sends, and when it
 * stops, the other takes over the episode from the store and sends its "resolved" once (no second alert).
 */
class AlertClusterIT {
    private static final String ROUTE = "default";

    @Test
    void onlyTheLeaseHolderSendsAndATakeoverContinuesTheEpisode() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        Database database = TestDatabases.postgres();
        Clock clock = Clock.systemUTC();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/");
        AlertMonitor first = monitor(database, "node-1", url, clock);
        AlertMonitor second = monitor(database, "node-2", url, clock);
        try {
            database.jdbi().useHandle(h -> h.createUpdate("INSERT INTO tenant (tenant_id, business_id, business_uuid,"
                            + " business_name, status, status_reason, created_at, updated_at)"
                            + " VALUES ('acme', 1, 'u', 'Acme', 'needs_reauthorization', 'invalid_grant', :now, :now)")
                    .bind("now", Instant.now()).execute());
            for (int i = 0; i < 3; i++) {
                first.evaluate();
                second.evaluate();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            assertThat(received.get(0)).contains("\"status\":\"firing\"", "\"alert\":\"reauthorization\"",
                    "\"instance\":\"node-1\"");

            first.close(); // gives up the lease: node-2 evaluates from now on
            database.jdbi().useHandle(h -> h.createUpdate("UPDATE tenant SET status = 'active' WHERE tenant_id = 'acme'").execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                second.evaluate();
                return received.size() >= 2;
            });
            for (int i = 0; i < 3; i++) {
                second.evaluate();
            }
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
            assertThat(received.get(1)).contains("\"status\":\"resolved\"", "\"alert\":\"reauthorization\"",
                    "\"instance\":\"node-2\"");
        } finally {
            first.close();
            second.close();
            database.close();
            receiver.stop(0);
        }
    }

    private static AlertMonitor monitor(Database database, String instance, URI url, Clock clock) {
        TenantRepository tenants = new TenantRepository(database, clock);
        PushRoutes routes = new PushRoutes(database.jdbi());
        ControlTotals totals = new ControlTotals(database.jdbi(), PipelineJson.mapper(), null, routes, tenants,
                DatasetModel.freshBooks("test"), (tables, reason) -> CompletableFuture.completedFuture(null), ROUTE,
                "workspace", clock, Duration.ofMinutes(10), new SimpleMeterRegistry());
        AlertConditions conditions = new AlertConditions(tenants, new SchemaGuard(database.jdbi(), ROUTE, clock,
                Duration.ofSeconds(30)), routes, ROUTE, new InboxQueue(database, Duration.ofSeconds(1), Duration.ofSeconds(10)),
                new Outbox(database, PipelineJson.mapper()), totals, new WaitingChanges(database.jdbi()),
                Duration.ofMinutes(1), clock);
        AlertSender sender = new AlertSender(url, instance, HttpClient.newHttpClient(), PipelineJson.mapper(),
                Duration.ofMillis(100), Duration.ofSeconds(1), 3);
        return new AlertMonitor(conditions, new AlertEpisodes(database.jdbi()), new AlertRules(Map.of()), sender,
                new LeaseHolder(new Leases(database.jdbi(), instance, Duration.ofSeconds(30)), AlertMonitor.LEASE), clock);
    }
}
