package io.mlconnector.demo;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static io.mlconnector.demo.ExactlyOnceIT.awaitTruth;
import static io.mlconnector.demo.ExactlyOnceIT.connectAndBackfill;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.powerbi.PowerBiConnection;
import io.mlconnector.powerbi.SchemaDiff;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 13 item 2 over real HTTP: Power BI refuses to create push datasets (FeatureDeprecatedError). The connector
 * without {@code powerbi.dataset-id} pauses its route with the one fix, and {@code mlc} says the same on one line;
 * given the id of a dataset made another way, it adopts it, reports how it differs from the mapping, clears what an
 * earlier install left in its tables, and fills it from the ledger until Power BI equals FreshBooks' truth.
 */
class AdoptDatasetIT {
    private static final long STALE_INVOICE_ID = 999_999_999L;

    @TempDir
    Path dataDir;

    @Test
    void whereCreationIsRefusedTheRoutePausesWithTheFixAndAnAdoptedDatasetEndsEqualToFreshBooks() throws Exception {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 31, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.withoutConnector(options, Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            powerBi.settings(powerBi.settings().withDatasetCreation(false));
            world.startConnector(Map.of());
            Operations operations = world.connector().operations();

            await().atMost(Duration.ofSeconds(60)).until(() -> operations.status().route() != null
                    && operations.status().route().paused());
            PushRoutes.Route paused = operations.status().route();
            assertThat(paused.pausedReason()).contains("Power BI refused to create dataset 'FreshBooks (demo)'",
                    "FeatureDeprecatedError");
            assertThat(paused.pausedFix()).contains("set its id in powerbi.dataset-id");
            assertThat(powerBi.datasets()).as("datasets in Power BI").isEmpty();

            // mlc with the same configuration: one line, the reason then the fix, no stack trace.
            Path yaml = dataDir.resolve("ml-connector.yaml");
            Files.writeString(yaml, world.configYaml());
            Run refused = run("dataset", "create", "--config", yaml.toString());
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err().lines().toList()).as(refused.toString()).singleElement().asString()
                    .startsWith("Power BI: Power BI refused to create dataset 'FreshBooks (demo)'")
                    .contains("FeatureDeprecatedError", "set its id in powerbi.dataset-id");

            // The businesses connect meanwhile: their rows wait in the outbox.
            List<Tenant> tenants = connectAndBackfill(world, 60);
            assertThat(operations.status().outboxUnsent()).as("rows waiting while paused").isPositive();

            // A dataset made another way, with a table of its own and a row an earlier install left in ours.
            String adopted = createdElsewhere(world);
            PowerBiConnection connection = PowerBiConnection.from(world.config().powerbi(), Clock.systemUTC());
            Map<String, Object> stale = new LinkedHashMap<>();
            stale.put("tenant", tenants.get(0).tenantId());
            stale.put("invoice_id", STALE_INVOICE_ID);
            stale.put("sign", 1);
            stale.put("amount", 1234.5);
            connection.client().postRows(connection.workspaceId(), adopted, "invoices", List.of(stale));
            connection.client().postRows(connection.workspaceId(), adopted, "notes", List.of(Map.of("text", "not ours")));

            world.restartConnector(Map.of("ML_CONNECTOR_POWERBI_DATASET_ID", adopted));
            world.freshBooks().generator().step(40); // changes stream in while the dataset is refilled

            awaitTruth(world, tenants);
            Operations adopting = world.connector().operations();
            assertThat(adopting.status().datasetId()).isEqualTo(adopted);
            assertThat(adopting.status().route().paused()).isFalse();
            assertThat(powerBi.datasets()).as("datasets in Power BI").hasSize(1);
            assertThat(powerBi.rows(adopted, "invoices")).as("the earlier install's row")
                    .noneMatch(row -> String.valueOf(STALE_INVOICE_ID).equals(String.valueOf(row.get("invoice_id"))));
            assertThat(powerBi.rows(adopted, "notes")).as("a table the connector does not own").hasSize(1);

            // What differs is reported: by the running connector and by mlc with the id in its configuration.
            assertThat(adopting.checkDataset()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(SchemaDiff.Kind.EXTRA_TABLE);
                assertThat(d.table()).isEqualTo("notes");
            });
            Files.writeString(yaml, world.configYaml().replace("  workspace-id:",
                    "  dataset-id: " + adopted + "\n  workspace-id:"));
            Run check = run("dataset", "check", "--config", yaml.toString());
            assertThat(check.exit()).as(check.toString()).isZero();
            assertThat(check.out()).as(check.toString()).contains("harmless:", "table 'notes'");
        }
    }

    /** As a person with other tools (or an install from before the refusal) made it; the creation switch does not apply. */
    private static String createdElsewhere(DemoWorld world) {
        ObjectNode body = DatasetModel.freshBooks("Made by hand").toCreateDatasetJson();
        ObjectNode notes = body.withArray("tables").addObject();
        notes.put("name", "notes");
        notes.putArray("columns").addObject().put("name", "text").put("dataType", "String");
        return world.simulators().powerBi().store().createDatasetElsewhere(world.simulators().demoApp().clientId(),
                world.simulators().demoWorkspaceId(), body, "None").id();
    }
}
