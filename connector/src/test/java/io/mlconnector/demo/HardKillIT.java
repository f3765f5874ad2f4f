package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.sim.Simulators;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.TestDatabases;
import io.mlconnector.testing.ChildConnector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * docs/guarantees.md against real crashes: the simulators run in this JVM, {@code mlc serve} in a child JVM on a
 * PostgreSQL store (an embedded server; H2 loses committed transactions and can leave a dead transaction's row locks
 * spinning after {@code kill -9}, see docs/guarantees.md). Over 3,000 FreshBooks changes (creates, edits, a burst on one invoice, deletes, archives) across
 * three businesses, the child is killed with SIGKILL three times, each after at least a fifth more of the changes:
 * once while a sweep is reading FreshBooks, once while Power BI holds a POST it has applied open past the child's
 * timeout, once at a random moment. FreshBooks does not redeliver the webhooks that fail while the child is down
 * (the sweeps must find those changes), and Power BI answers a 429 storm and a 5xx burst in between. Once all is
 * quiet, every table of every business in Power BI equals FreshBooks' truth, and no batch was applied twice. Run
 * once for each way the service offers of finding out whether a lost POST landed.
 */
class HardKillIT {
    private static final Logger log = LoggerFactory.getLogger(HardKillIT.class);
    private static final int CHANGES = 3_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A FreshBooks listing (a sweep's read), not a read of one record by id. */
    private static final Pattern LISTING = Pattern.compile(".*/accounting/account/[^/]+/[a-z_]+/[a-z_]+$");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "lost answers resolved by {0}")
    @EnumSource(PushRoutes.Resolver.class)
    void threeKillsChangeNothingInTheEnd(PushRoutes.Resolver way) throws Exception {
        // On PostgreSQL: H2 2.5.252 does not survive kill -9 intact (see docs/guarantees.md, "H2 and crashes").
        DemoWorld.Options options = new DemoWorld.Options(dir, 17, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(300)).withPowerBiRequestTimeout(Duration.ofSeconds(3))
                .withStore(TestDatabases.postgresConfig());
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            powerBi.settings(powerBi.settings()
                    .withSequenceNumbers(way == PushRoutes.Resolver.SEQUENCE_NUMBERS)
                    .withExecuteQueries(way == PushRoutes.Resolver.EXECUTE_QUERIES));
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(100);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            world.stopConnector(); // the child takes over its store, keyset and port; its first sweeps backfill

            Random random = new Random(way.ordinal() + 7L);
            try (ChildConnector child = ChildConnector.start(world, dir.resolve("child"), "serve",
                    Map.of("ML_CONNECTOR_PIPELINE_SWEEP_INTERVAL", "8s",
                            // a restarted child waits for its killed predecessor's push lease to lapse
                            "ML_CONNECTOR_CLUSTER_LEASE_DURATION", "6s"))) {
                Instant start = Instant.now();
                int changes = 0;
                int kills = 0;
                while (changes < CHANGES) {
                    changes += freshBooks.generator().step(25).size();
                    if (changes >= CHANGES / 2 && changes < CHANGES / 2 + 25) {
                        changes += burstOnOneInvoice(freshBooks, tenants.get(0).tenantId(), 20);
                    }
                    if (changes >= 3 * CHANGES / 8 && changes < 3 * CHANGES / 8 + 25) { // a 429 storm, then a 5xx burst
                        powerBi.faults().add(Rule.throttle(1.0, 2).onPathsContaining("/rows").times(5));
                    }
                    if (changes >= 5 * CHANGES / 8 && changes < 5 * CHANGES / 8 + 25) {
                        powerBi.faults().add(Rule.serverError(1.0, 503).onPathsContaining("/rows").times(4));
                    }
                    if (kills < 3 && changes >= (kills + 1) * CHANGES / 4) {
                        switch (kills) {
                            case 0 -> killDuringSweep(child, freshBooks);
                            case 1 -> killWhilePostHeldOpen(child, powerBi);
                            default -> child.kill9();
                        }
                        kills++;
                        log.info("kill {} at {} changes", kills, changes);
                        changes += freshBooks.generator().step(25 + random.nextInt(50)).size(); // webhooks to nobody
                        child.restart();
                    }
                    DemoWorld.pause(Duration.ofMillis(40));
                }
                assertThat(kills).isEqualTo(3);

                awaitTruth(world, child, tenants);
                assertThat(status(child).path("route").path("resolver").asString()).isEqualTo(way.name());
                PowerBiTruth.assertNoBatchAppliedTwice(powerBi);
                PowerBiTruth.assertEachRowPushedOnce(powerBi, status(child).path("datasetId").asString(), world.config().store());
                assertThat(powerBi.faults().injected()).extracting(FaultInjector.Injected::kind)
                        .contains(FaultInjector.Kind.THROTTLE, FaultInjector.Kind.SERVER_ERROR);
                assertThat(powerBi.postRowsLog()).anyMatch(r -> "ACCEPT_THEN_HANG".equals(r.fault()) && r.applied());
                log.info("{}: {} changes, 3 kills, truth reached {} after start", way, changes,
                        Duration.between(start, Instant.now()));
            }
        }
    }

    /**
     * Intake never waits for the far ends: {@code mlc serve} starts, answers signed webhooks 204 and stores them while
     * FreshBooks' API, Entra ID and Power BI all refuse connections (their servers are stopped; FreshBooks' webhook
     * sender keeps sending), and once they are back every change reaches Power BI.
     */
    @Test
    void serveStartsWithoutTheFarEndsAndCatchesUp() throws Exception {
        DemoWorld.Options options = new DemoWorld.Options(dir, 19, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(300));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            Simulators far = world.simulators();
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(40);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            world.stopConnector();
            int freshBooksPort = freshBooks.port();
            int entraPort = far.entra().port();
            int powerBiPort = far.powerBi().port();
            freshBooks.stop();
            far.entra().stop();
            far.powerBi().stop();
            try (ChildConnector child = ChildConnector.start(world, dir.resolve("child"), "serve",
                    Map.of("ML_CONNECTOR_PIPELINE_SWEEP_INTERVAL", "5s"))) { // returns once /health answers
                long lastSeq = freshBooks.deliveryLog().stream().mapToLong(DeliveryAttempt::seq).max().orElse(0);
                freshBooks.generator().step(40);
                await("webhooks answered 204 with FreshBooks, Entra ID and Power BI down").atMost(Duration.ofSeconds(30))
                        .until(() -> freshBooks.deliveryLog().stream()
                                .anyMatch(a -> a.seq() > lastSeq && !a.isVerification() && a.status() == 204));
                JsonNode stored = status(child);
                assertThat(stored.path("eventsReceived").asLong()).isPositive();
                assertThat(stored.path("inboxPending").asLong()).as("stored, waiting for FreshBooks").isPositive();
                assertThat(freshBooks.deliveryLog()).filteredOn(a -> a.seq() > lastSeq && !a.isVerification())
                        .extracting(DeliveryAttempt::status).containsOnly(204);

                far.entra().start(entraPort);
                far.powerBi().start(powerBiPort);
                freshBooks.start(freshBooksPort);
                awaitTruth(world, child, tenants);
                assertThat(child.isAlive()).isTrue();
            }
        }
    }

    /** Kills the child while one of its sweeps is reading FreshBooks (slowed, so the moment can be caught). */
    private static void killDuringSweep(ChildConnector child, FreshBooksSimulator freshBooks) {
        FaultInjector api = freshBooks.apiFaults();
        Instant from = Instant.now();
        api.add(Rule.latency(1.0, Duration.ofMillis(300)).onPathsContaining("/accounting/"));
        try {
            await("a sweep reading FreshBooks").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> api.injected().stream().anyMatch(i -> !i.at().isBefore(from)
                            && LISTING.matcher(i.path()).matches()));
            child.kill9();
        } finally {
            api.clear();
        }
    }

    /** Kills the child while Power BI holds open a POST it has applied, past the child's 3 s timeout. */
    private static void killWhilePostHeldOpen(ChildConnector child, PowerBiSimulator powerBi) {
        powerBi.faults().add(Rule.acceptThenHang(Duration.ofSeconds(6)).onPathsContaining("/rows").times(1));
        await("a POST held open by Power BI").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> powerBi.postRowsLog().stream().anyMatch(r -> "ACCEPT_THEN_HANG".equals(r.fault())));
        child.kill9();
    }

    /** One invoice edited many times within a second: its webhooks coalesce. Returns the edits made. */
    static int burstOnOneInvoice(FreshBooksSimulator freshBooks, String tenant, int edits) {
        List<ObjectNode> invoices = freshBooks.store().all(tenant, Resource.INVOICES).stream()
                .filter(i -> i.path("vis_state").asInt() == 0).toList();
        if (invoices.isEmpty()) {
            return 0;
        }
        long id = invoices.get(0).path("id").asLong();
        for (int i = 0; i < edits; i++) {
            ObjectNode input = JsonNodeFactory.instance.objectNode();
            input.put("notes", "burst " + i);
            freshBooks.store().update(tenant, Resource.INVOICES, id, input, new Actor(1, 1));
        }
        return edits;
    }

    private static void awaitTruth(DemoWorld world, ChildConnector child, List<Tenant> tenants) {
        try {
            awaitQuietAndEqual(world, child, tenants);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n--- the child's log, last lines:\n" + child.logTail(120)
                    + "\n--- the child's threads:\n" + (child.isAlive() ? child.threadDump() : "(not running)"), e);
        }
    }

    private static void awaitQuietAndEqual(DemoWorld world, ChildConnector child, List<Tenant> tenants) {
        await("Power BI equal to FreshBooks").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    JsonNode status = status(child);
                    assertThat(status.path("inboxPending").asLong()).as("events waiting").isZero();
                    assertThat(status.path("outboxUnsent").asLong()).as("rows waiting").isZero();
                    assertThat(status.path("quarantined").size()).as("quarantined").isZero();
                    assertThat(status.path("rebuilding").size()).as("tables being rebuilt").isZero();
                    for (Tenant tenant : tenants) {
                        PowerBiTruth.assertTenantMatchesTruth(world, status.path("datasetId").asString(), tenant.tenantId());
                    }
                });
    }

    private static JsonNode status(ChildConnector child) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(child.adminUrl() + "/api/status")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
