package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import static io.mlconnector.cli.DatasetCommandIT.run;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.powerbi.PowerBiConnection;
import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * docs/guarantees.md over real HTTP: Power BI applies a POST and its answer is lost (the connection dropped,
 * or the answer comes after the connector's timeout), a gateway answers 502; each such batch is resolved, never
 * posted blindly again, by whichever way the service offers: sequence numbers, Execute Queries, or neither
 * (the table is rebuilt from the ledger). Route-wide refusals pause the route with nothing quarantined; a bad row
 * is found by bisection and quarantined alone, its record's later rows held until it is replayed.
 */
class ExactlyOnceIT {
    @TempDir
    Path dataDir;

    private DemoWorld.Options options(long seed) {
        return new DemoWorld.Options(dataDir, seed, 0, Duration.ofSeconds(3599), 43_200, Duration.ofMillis(200))
                .withPowerBiRequestTimeout(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "resolved by {0}")
    @EnumSource(PushRoutes.Resolver.class)
    void postsWhoseAnswerIsLostAreResolvedNotPostedAgain(PushRoutes.Resolver way) {
        try (DemoWorld world = DemoWorld.start(options(21), Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            powerBi.settings(powerBi.settings()
                    .withSequenceNumbers(way == PushRoutes.Resolver.SEQUENCE_NUMBERS)
                    .withExecuteQueries(way == PushRoutes.Resolver.EXECUTE_QUERIES));
            world.restartConnector(); // detects what the service offers anew
            assertThat(world.connector().operations().status().route().resolver()).isEqualTo(way);

            List<Tenant> tenants = connectAndBackfill(world, 80);
            powerBi.faults().add(Rule.acceptThenDrop().onPathsContaining("/rows").times(2));
            powerBi.faults().add(Rule.acceptThenHang(Duration.ofSeconds(4)).onPathsContaining("/rows").times(1));
            powerBi.faults().add(Rule.serverError(1.0, 502).onPathsContaining("/rows").times(2));
            world.freshBooks().generator().step(120);

            awaitTruth(world, tenants);
            List<PostRowsRecord> log = powerBi.postRowsLog();
            assertThat(log).filteredOn(r -> "ACCEPT_THEN_DROP".equals(r.fault()) || "ACCEPT_THEN_HANG".equals(r.fault()))
                    .as("posts applied whose answer was lost").hasSize(3).allMatch(PostRowsRecord::applied);
            PowerBiTruth.assertNoBatchAppliedTwice(powerBi);
            PowerBiTruth.assertEachRowPushedOnce(powerBi, world);
        }
    }

    @Test
    void aServicePrincipalShutOutPausesTheRouteAndQuarantinesNothing() throws Exception {
        try (DemoWorld world = DemoWorld.start(options(22), Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            List<Tenant> tenants = connectAndBackfill(world, 40);
            powerBi.faults().add(Rule.unauthorizedSwitch().onPathsContaining("/rows").times(1));
            world.freshBooks().generator().step(40);

            Operations operations = world.connector().operations();
            await().atMost(Duration.ofSeconds(30)).until(() -> operations.status().route().paused());
            PushRoutes.Route paused = operations.status().route();
            assertThat(paused.pausedReason()).contains("ServicePrincipalIsNotAllowedByTenantAdminSwitch");
            assertThat(paused.pausedFix()).contains("Tenant settings").contains("powerbi.client-id");
            assertThat(operations.status().quarantined()).isEmpty();
            assertThat(ControlTotalsIT.scrapeMetrics(world)).contains("powerbi_route_paused 1.0", "outbox_quarantined_batches 0.0");

            // The switch is back on (the fault was one answer): the route probes again by itself and catches up.
            awaitTruth(world, tenants);
            assertThat(operations.status().route().paused()).isFalse();
            assertThat(ControlTotalsIT.scrapeMetrics(world)).contains("powerbi_route_paused 0.0");
        }
    }

    @Test
    void aRowPowerBiRefusesIsQuarantinedAloneAndItsRecordWaitsUntilReplayed() throws Exception {
        try (DemoWorld world = DemoWorld.start(options(23), Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            FreshBooksSimulator freshBooks = world.freshBooks();
            List<Tenant> tenants = connectAndBackfill(world, 60);
            String tenant = tenants.get(0).tenantId();
            // An expense: a fact table's signed rows (a dimension table is reloaded whole instead, see DimensionTablesIT).
            ObjectNode expense = freshBooks.store().all(tenant, Resource.EXPENSES).stream()
                    .filter(e -> e.path("vis_state").asInt() == 0).findFirst().orElseThrow();
            long expenseId = expense.path("id").asLong();
            Actor actor = new Actor(1, 1);
            // A value Power BI refuses, for a reason the connector cannot check beforehand.
            powerBi.refuseValue("Refused Vendor");
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Refused Vendor"), actor);
            freshBooks.generator().step(30);

            Operations operations = world.connector().operations();
            await().atMost(Duration.ofSeconds(60)).until(() -> !operations.status().quarantined().isEmpty());
            Outbox.Batch quarantined = operations.status().quarantined().get(0);
            assertThat(quarantined.rowCount()).isEqualTo(1);
            assertThat(quarantined.table()).isEqualTo("expenses");
            assertThat(ControlTotalsIT.scrapeMetrics(world)).contains("outbox_quarantined_batches 1.0");

            // The expense changes again: its reversal of the refused row and its new row wait behind the quarantine.
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Springfield Supplies"), actor);
            // Everything else sent; the quarantined row and its record's later rows (held behind it) wait: the
            // move's expense reversal and new row, its cash_movements reversal and new row (the version changed), and
            // the first change's cash_movements pair too unless it was batched before the quarantine: 3 to 7 rows.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(operations.status().outboxUnsent()).as("rows waiting").isBetween(3L, 7L));
            assertThat(operations.status().quarantined()).hasSize(1);

            assertThat(operations.replay(quarantined.batchId())).isTrue();
            awaitTruth(world, tenants);
        }
    }

    @Test
    void aDeletedDatasetPausesTheRouteAndANewOneIsFilledFromTheLedger() {
        try (DemoWorld world = DemoWorld.start(options(25), Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            List<Tenant> tenants = connectAndBackfill(world, 40);
            awaitTruth(world, tenants);
            Operations operations = world.connector().operations();
            String gone = operations.status().datasetId();
            powerBi.store().deleteDataset(world.simulators().demoApp().clientId(), world.simulators().demoWorkspaceId(), gone);
            world.freshBooks().generator().step(30);

            await().atMost(Duration.ofSeconds(60)).until(() -> operations.status().route().paused());
            assertThat(operations.status().route().pausedFix()).contains("mlc dataset create");

            // What `mlc dataset create` does; the route finds the new dataset and fills it from the ledger.
            PowerBiConnection connection = PowerBiConnection.from(world.config().powerbi(), Clock.systemUTC());
            String created = connection.provisioner().ensure(connection.workspaceId(), connection.model()).datasetId();
            assertThat(created).isNotEqualTo(gone);
            awaitTruth(world, tenants);
            assertThat(operations.status().datasetId()).isEqualTo(created);
            assertThat(operations.status().route().epoch()).isEqualTo(2);
        }
    }

    @Test
    void compactLeavesOneRowPerRecordAndTheSameTotals() {
        try (DemoWorld world = DemoWorld.start(options(24), Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            List<Tenant> tenants = connectAndBackfill(world, 60);
            world.freshBooks().generator().step(80); // edits and deletes leave reversals behind
            awaitTruth(world, tenants);
            String datasetId = world.connector().operations().status().datasetId();
            List<Map<String, Object>> before = powerBi.rows(datasetId, "invoices");
            assertThat(before).as("reversals in the table").anyMatch(row -> PowerBiTruth.sign(row) < 0);

            Run compacted = run("dataset", "compact", "invoices", "--url", world.adminUrl().toString());
            assertThat(compacted.exit()).as(compacted.toString()).isZero();
            assertThat(compacted.out()).contains("invoices:", "rows to reload");

            awaitTruth(world, tenants);
            List<Map<String, Object>> after = powerBi.rows(datasetId, "invoices");
            assertThat(after).as("one +1 row per live invoice").allMatch(row -> PowerBiTruth.sign(row) == 1)
                    .hasSize(before.stream().mapToInt(PowerBiTruth::sign).sum());
            Run unknown = run("dataset", "compact", "no_such_table", "--url", world.adminUrl().toString());
            assertThat(unknown.exit()).isNotZero();
            assertThat(unknown.err()).contains("no table 'no_such_table'");
        }
    }

    /** An expense's vendor: a column of the expenses table alone. */
    private static ObjectNode vendor(String name) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.put("vendor", name);
        return input;
    }

    static List<Tenant> connectAndBackfill(DemoWorld world, int historySteps) {
        world.freshBooks().generator().step(historySteps);
        List<Tenant> tenants = world.connectBusinesses();
        world.registerWebhooks(Duration.ofSeconds(30));
        for (Tenant tenant : tenants) {
            world.connector().operations().backfill(tenant.tenantId(), progress -> {});
        }
        return tenants;
    }

    static void awaitTruth(DemoWorld world, List<Tenant> tenants) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Operations.Status status = world.connector().operations().status();
            assertThat(status.inboxPending()).as("events waiting").isZero();
            assertThat(status.outboxUnsent()).as("rows waiting").isZero();
            assertThat(status.quarantined()).as("quarantined").isEmpty();
            assertThat(status.rebuilding()).as("tables being rebuilt").isEmpty();
            for (Tenant tenant : tenants) {
                PowerBiTruth.assertTenantMatchesTruth(world, status.datasetId(), tenant.tenantId());
            }
        });
    }
}
