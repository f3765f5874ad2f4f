package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.pipeline.reconcile.ControlTotals;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Control totals over real HTTP against the simulators: after a backfill every table of every tenant matches the
 * ledger; rows removed from Power BI behind the connector's back are reported, and when the difference is found
 * again in the next check the table is rebuilt from the ledger and matches once more.
 */
class ControlTotalsIT {
    /** Each check is about one Execute Queries request per table; the service allows 120 a minute. */
    private static final Duration BETWEEN_CHECKS = Duration.ofSeconds(6);

    @TempDir
    Path dataDir;

    @Test
    void rowsLostInPowerBiAreReportedThenRebuiltWhenTheDifferencePersists() throws Exception {
        try (DemoWorld world = DemoWorld.start(new DemoWorld.Options(dataDir, 31, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200)), Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            Operations operations = world.connector().operations();
            world.freshBooks().generator().step(60);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                operations.backfill(tenant.tenantId(), progress -> {});
            }
            awaitNothingWaits(operations);

            await().atMost(Duration.ofSeconds(60)).pollInterval(BETWEEN_CHECKS).untilAsserted(() ->
                    assertThat(operations.checkTotals()).as("every table of every tenant")
                            .hasSize(DatasetModel.freshBooks("x").tables().size() * tenants.size()).allMatch(r -> r.verdict() == Verdict.MATCH, "matches"));
            List<ControlTotals.Result> matched = operations.status().controlTotals();
            assertThat(matched).filteredOn(r -> r.table().equals("invoices"))
                    .allMatch(r -> r.powerBiCount() == r.ledgerCount(), "counted on both sides");
            long tenantsWithInvoices = matched.stream()
                    .filter(r -> r.table().equals("invoices") && r.ledgerCount() > 0).count();
            assertThat(tenantsWithInvoices).isPositive();

            // Behind the connector's back: Power BI loses every invoice row.
            String datasetId = operations.status().datasetId();
            powerBi.store().deleteRows(world.simulators().demoApp().clientId(), world.simulators().demoWorkspaceId(),
                    datasetId, "invoices");

            JsonNode first = postCheck(world);
            assertThat(first.path("controlTotals").values()).filteredOn(r -> r.path("verdict").asString().equals("DIFFERS"))
                    .as("each tenant's invoices, once").hasSize((int) tenantsWithInvoices)
                    .allMatch(r -> r.path("table").asString().equals("invoices"))
                    .allMatch(r -> r.path("powerBiCount").asLong() == 0 && r.path("ledgerCount").asLong() > 0)
                    .allMatch(r -> r.path("differingChecks").asInt() == 1);
            assertThat(operations.status().rebuilding()).as("one check is not yet a persisting difference").isEmpty();
            assertThat(operations.status().controlTotals()).filteredOn(r -> r.verdict() == Verdict.DIFFERS)
                    .hasSize((int) tenantsWithInvoices);
            assertThat(scrapeMetrics(world)).contains("control_totals_differing_tables 1.0");

            List<ControlTotals.Result> second = operations.checkTotals();
            assertThat(second).filteredOn(r -> r.verdict() == Verdict.DIFFERS).hasSize((int) tenantsWithInvoices)
                    .allMatch(r -> r.differingChecks() == 2 && r.detail().contains("rebuilding"));

            awaitNothingWaits(operations);
            await().atMost(Duration.ofSeconds(60)).pollInterval(BETWEEN_CHECKS).untilAsserted(() ->
                    assertThat(operations.checkTotals()).allMatch(r -> r.verdict() == Verdict.MATCH, "matches"));
            assertThat(scrapeMetrics(world)).contains("control_totals_differing_tables 0.0")
                    .contains("control_totals_rebuilds_total 1.0");
            for (Tenant tenant : tenants) {
                PowerBiTruth.assertTenantMatchesTruth(world, datasetId, tenant.tenantId());
            }
        }
    }

    private static void awaitNothingWaits(Operations operations) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Operations.Status status = operations.status();
            assertThat(status.inboxPending()).as("events waiting").isZero();
            assertThat(status.outboxUnsent()).as("rows waiting").isZero();
            assertThat(status.rebuilding()).as("tables being rebuilt").isEmpty();
        });
    }

    private static JsonNode postCheck(DemoWorld world) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(world.adminUrl() + "/api/totals/check"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return PipelineJson.mapper().readTree(response.body());
    }

    /** The connector's Prometheus page. */
    static String scrapeMetrics(DemoWorld world) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(world.adminUrl() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
