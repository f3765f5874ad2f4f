package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.store.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One backfill per tenant in the whole cluster: two {@code mlc serve} processes on one PostgreSQL; while one
 * instance's backfill of a tenant is reading FreshBooks, the other refuses a second one and says where it runs, and
 * takes one once the first has ended. (Two at once would write the same checkpoints.) An instance killed mid-backfill
 * starts one again at once after its restart, though its lease has not expired yet.
 */
class BackfillAcrossInstancesIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aSecondBackfillOfATenantIsRefusedOnAnotherInstanceUntilTheFirstEnds() throws Exception {
        Path haproxy = HaProxy.find().orElseThrow(() -> new IllegalStateException(
                "this test runs the connectors behind HAProxy, which is not installed: apt-get install haproxy"));
        DemoWorld.Options options = new DemoWorld.Options(dir, 43, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(300), TestDatabases.postgresConfig(), Duration.ofSeconds(60));
        try (DemoWorld world = DemoWorld.forCluster(options, Clock.systemUTC());
             ConnectorCluster cluster = ConnectorCluster.start(haproxy, dir.resolve("cluster"), 2, world, Map.of())) {
            world.freshBooks().generator().step(30);
            world.connectThroughBrowser(cluster.adminUrl());
            ConnectorConfig.Store store = world.config().store();
            await("the backfills a connect starts").atMost(Duration.ofMinutes(2)).until(() -> backfillLeasesHeld(store) == 0);
            String tenant = world.freshBooks().businesses().get(0).accountId();
            URI first = cluster.instances().get(0).adminUrl();
            URI second = cluster.instances().get(1).adminUrl();

            CountDownLatch release = new CountDownLatch(1);
            world.freshBooks().apiFaults().add(Rule.hold(release).onPathsContaining("/invoices/invoices"));
            HttpResponse<String> started = startBackfill(first, tenant);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

            HttpResponse<String> refused = startBackfill(second, tenant);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            JsonNode why = JSON.readTree(refused.body());
            assertThat(why.path("error").asString()).contains(tenant).contains("running on instance "
                    + cluster.instances().get(0).name());
            assertThat(why.has("running")).as("no id to watch: it runs elsewhere").isFalse();

            // The first instance dies mid-backfill and comes back: its own lease, left behind, does not hold it up.
            ConnectorProcess restarted = cluster.instances().get(0);
            restarted.kill9();
            restarted.restart();
            HttpResponse<String> resumed = startBackfill(first, tenant);
            assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(202);
            String id = JSON.readTree(resumed.body()).path("id").asString();
            assertThat(startBackfill(second, tenant).statusCode()).as("still one at a time").isEqualTo(409);

            release.countDown();
            await("the first backfill ends").atMost(Duration.ofMinutes(2)).until(() ->
                    !JSON.readTree(get(first.resolve("/api/backfills/" + id)).body()).path("state").asString().equals("FETCHING"));
            await("its lease is given up").atMost(Duration.ofSeconds(30)).until(() -> backfillLeasesHeld(store) == 0);
            HttpResponse<String> again = startBackfill(second, tenant);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        }
    }

    private HttpResponse<String> startBackfill(URI admin, String tenant) throws Exception {
        return http.send(HttpRequest.newBuilder(admin.resolve("/api/backfills?tenant=" + tenant))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Backfill leases some instance holds right now. */
    private static long backfillLeasesHeld(ConnectorConfig.Store store) throws Exception {
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.username(), store.password());
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM lease WHERE name LIKE 'backfill:%' AND expires_at > now()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
