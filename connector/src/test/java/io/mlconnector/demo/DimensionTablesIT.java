package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Dimension tables hold one row per key (DatasetModel): with the simulator refusing a value twice on the one side
 * of a relationship (as the engine does), a renamed and a deleted client end as one current row and none, a new
 * client appears at once, and Power BI never refuses a POST.
 */
class DimensionTablesIT {
    @TempDir
    Path dir;

    @Test
    void renamedAndDeletedClientsLeaveOneRowPerKeyAndNoPostIsRefused() {
        DemoWorld.Options options = new DemoWorld.Options(dir, 31, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(300));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            assertThat(powerBi.settings().strictRelationships()).as("the engine's rule, on by default").isTrue();
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(60);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant connected : tenants) {
                world.connector().operations().backfill(connected.tenantId(), progress -> { });
            }
            String tenant = tenants.get(0).tenantId();
            String datasetId = world.connector().operations().status().datasetId();
            List<ObjectNode> clients = freshBooks.store().all(tenant, Resource.CLIENTS).stream()
                    .filter(c -> c.path("vis_state").asInt() == 0).toList();
            assertThat(clients).hasSizeGreaterThanOrEqualTo(2);
            awaitOneRowPerClient(powerBi, datasetId, tenant, freshBooks);

            long renamed = clients.get(0).path("id").asLong();
            long deleted = clients.get(1).path("id").asLong();
            ObjectNode rename = JsonNodeFactory.instance.objectNode();
            rename.put("organization", "Renamed Ltd");
            freshBooks.store().update(tenant, Resource.CLIENTS, renamed, rename, new Actor(1, 1));
            freshBooks.store().delete(tenant, Resource.CLIENTS, deleted, new Actor(1, 1));
            ObjectNode added = JsonNodeFactory.instance.objectNode();
            added.put("organization", "Brand New Co");
            added.put("email", "new@example.com");
            freshBooks.store().create(tenant, Resource.CLIENTS, added, new Actor(1, 1));

            awaitOneRowPerClient(powerBi, datasetId, tenant, freshBooks);
            Map<Object, Object> names = powerBi.rows(datasetId, "clients").stream()
                    .filter(r -> tenant.equals(r.get("tenant")))
                    .collect(Collectors.toMap(r -> r.get("client_id"), r -> String.valueOf(r.get("organization"))));
            assertThat(names).containsEntry(renamed, "Renamed Ltd").doesNotContainKey(deleted)
                    .containsValue("Brand New Co");
            assertThat(powerBi.postRowsLog()).as("POSTs Power BI refused").noneMatch(r -> r.status() == 400);
        }
    }

    /** Power BI's clients of the tenant are FreshBooks' current ones, each once, all with sign +1. */
    private static void awaitOneRowPerClient(PowerBiSimulator powerBi, String datasetId, String tenant,
                                             FreshBooksSimulator freshBooks) {
        await("one row per current client").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    List<Map<String, Object>> rows = powerBi.rows(datasetId, "clients").stream()
                            .filter(r -> tenant.equals(r.get("tenant"))).toList();
                    List<Object> ids = rows.stream().map(r -> r.get("client_id")).toList();
                    List<Long> truth = freshBooks.store().all(tenant, Resource.CLIENTS).stream()
                            .filter(c -> c.path("vis_state").asInt() != 1).map(c -> c.path("id").asLong()).toList();
                    assertThat(ids).doesNotHaveDuplicates();
                    assertThat(ids).containsExactlyInAnyOrderElementsOf(truth);
                    assertThat(rows).allSatisfy(r -> assertThat(((Number) r.get("sign")).intValue()).isEqualTo(1));
                });
    }
}
