package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.freshbooks.TableTotals;
import io.mlconnector.sim.freshbooks.Truth;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pipeline end to end over real HTTP on loopback: three simulated businesses make over a thousand
 * changes (creates, edits, payments, archives, deletes) while webhooks are duplicated and reordered,
 * Power BI answers a 429 storm and a burst of 5xx, FreshBooks access tokens and the service-principal
 * token expire and rotate. At the end Power BI's signed rows must equal FreshBooks' truth to the cent.
 */
class EndToEndIT {
    @TempDir
    Path dataDir;

    /** Power BI tokens live 12 s, renewed at 90 % of that. */
    private static final Duration POWER_BI_TOKEN_LIFE = Duration.ofSeconds(12);
    /** FreshBooks tokens live 310 s and are refreshed 5 minutes before expiry: 10 s after issue. */
    private static final int FRESHBOOKS_TOKEN_SECONDS = 310;

    private static DemoWorld.Options options(Path dir, long seed) {
        // Short token lives, so both kinds of token expire and are renewed (and rotated) during the run.
        return new DemoWorld.Options(dir, seed, 0, POWER_BI_TOKEN_LIFE, FRESHBOOKS_TOKEN_SECONDS, Duration.ofMillis(300));
    }

    @Test
    void athousandChangesUnderFaultsEndEqualToFreshBooksTruth() {
        thousandChangesUnderFaults(options(dataDir, 7));
    }

    /** The same run with the connector on a real PostgreSQL (the scaled-out store) instead of H2. */
    @Test
    void theSameOnPostgreSql() {
        thousandChangesUnderFaults(options(dataDir, 13).withStore(TestDatabases.postgresConfig()));
    }

    private static void thousandChangesUnderFaults(DemoWorld.Options options) {
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            PowerBiSimulator powerBi = world.simulators().powerBi();
            freshBooks.generator().step(150); // history for the backfill
            List<Tenant> tenants = world.connectBusinesses();
            assertThat(tenants).hasSize(3);
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                world.connector().operations().backfill(tenant.tenantId(), progress -> {});
            }

            freshBooks.deliveryFaults().duplicateShare(0.15).reorder(4, Duration.ofMillis(400))
                    .retries(6, Duration.ofMillis(200));
            Instant start = Instant.now();
            // Storms counted in requests hit, not in seconds: on a loaded machine the pusher may send nothing during
            // a fixed window (it waits out the 429s' Retry-After), and then the storm would never reach it.
            powerBi.faults().add(Rule.throttle(1.0, 2).during(start.plusSeconds(3), null).times(4)
                    .onPathsContaining("/rows"));
            powerBi.faults().add(Rule.serverError(0.6, 503).during(start.plusSeconds(10), null).times(6)
                    .onPathsContaining("/rows"));

            // Over a thousand changes, spread over at least 20 s so the fault windows and token expiries fall inside.
            int changes = 0;
            while (changes < 1_000 || Instant.now().isBefore(start.plusSeconds(20))) {
                changes += freshBooks.generator().step(25).size();
                DemoWorld.pause(Duration.ofMillis(300));
            }

            awaitTruth(world, tenants);
            PowerBiTruth.assertNoBatchAppliedTwice(powerBi);
            PowerBiTruth.assertEachRowPushedOnce(powerBi, world);
            assertRetryAfterHonoured(powerBi);
            // The storms reached the connector: counted where the injector records them, since "/rows" is also the
            // path of a dimension table's DELETE rows, which the POST log does not list.
            assertThat(powerBi.faults().injected()).as("injected 429s").anyMatch(f -> f.kind() == FaultInjector.Kind.THROTTLE);
            assertThat(powerBi.faults().injected()).as("injected 503s").anyMatch(f -> f.kind() == FaultInjector.Kind.SERVER_ERROR);
            // Tokens: the Power BI token was renewed before it expired (no POST was refused for it), and each
            // FreshBooks grant was refreshed, its single-use refresh token rotated and committed, with no event lost.
            assertThat(Duration.between(start, Instant.now())).isGreaterThan(POWER_BI_TOKEN_LIFE);
            assertThat(powerBi.postRowsLog()).noneMatch(r -> r.status() == 401 || r.status() == 403);
            assertThat(grantVersions(world)).hasSize(2).allSatisfy(v -> assertThat(v).isGreaterThan(1L));
        }
    }

    @Test
    void stoppingTheConnectorAbruptlyAtRandomPointsChangesNothingInTheEnd() {
        try (DemoWorld world = DemoWorld.start(options(dataDir, 11), Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(100);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                world.connector().operations().backfill(tenant.tenantId(), progress -> {});
            }
            // While the connector is down FreshBooks gets no answer; it tries again (the strict reading of
            // an unknown retry policy is "never": this switch is what a sweep would otherwise have to catch).
            freshBooks.deliveryFaults().duplicateShare(0.1).retries(20, Duration.ofMillis(300));
            Random random = new Random(5);
            int changes = 0;
            while (changes < 600) {
                changes += freshBooks.generator().step(30).size();
                if (random.nextInt(4) == 0) {
                    DemoWorld.pause(Duration.ofMillis(random.nextInt(400)));
                    world.restartConnector();
                }
                DemoWorld.pause(Duration.ofMillis(100));
            }
            awaitTruth(world, tenants);
            PowerBiTruth.assertNoBatchAppliedTwice(world.simulators().powerBi());
            PowerBiTruth.assertEachRowPushedOnce(world.simulators().powerBi(), world);
        }
    }

    /** The version of each stored FreshBooks grant: it grows by one with every refresh. */
    private static List<Long> grantVersions(DemoWorld world) {
        ConnectorConfig.Store store = world.config().store();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.jdbcUrl(), store.username(),
                store.password()); java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT version FROM oauth_grant")) {
            List<Long> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getLong(1));
            }
            return versions;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTruth(DemoWorld world, List<Tenant> tenants) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Operations.Status status = world.connector().operations().status();
            assertThat(status.inboxPending()).as("events waiting").isZero();
            assertThat(status.outboxUnsent()).as("rows waiting").isZero();
            assertThat(status.quarantined()).as("quarantined batches").isEmpty();
            for (Tenant tenant : tenants) {
                PowerBiTruth.assertTenantMatchesTruth(world, status.datasetId(), tenant.tenantId());
            }
        });
    }

    /** After every 429, no POST to that dataset arrived before its Retry-After had passed. */
    private static void assertRetryAfterHonoured(PowerBiSimulator powerBi) {
        List<PostRowsRecord> log = powerBi.postRowsLog();
        for (PostRowsRecord throttled : log) {
            if (throttled.status() != 429 || throttled.retryAfterSeconds() == null) {
                continue;
            }
            Instant allowed = throttled.receivedAt().plusSeconds(throttled.retryAfterSeconds());
            assertThat(log).filteredOn(r -> r.datasetId().equals(throttled.datasetId())
                            && r.receivedAt().isAfter(throttled.receivedAt()) && r.receivedAt().isBefore(allowed))
                    .as("POSTs within the Retry-After of the 429 at " + throttled.receivedAt())
                    .isEmpty();
        }
    }
}
