package io.mlconnector.cli;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc status} and {@code mlc replay} against a whole running connector (the demo's): Power BI refuses
 * every POST of rows with a 400 that is not about the schema, so batches are quarantined; status lists them,
 * replay of one after the fault clears gets its rows into the dataset, and replaying it again is refused.
 */
class StatusReplayIT {
    private static final Actor ACTOR = new Actor(1, 1);

    /** An expense's vendor: a column of the expenses table alone (a fact table: its rows are signed). */
    private static ObjectNode vendor(String name) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.put("vendor", name);
        return input;
    }

    @TempDir
    Path dataDir;

    @Test
    void statusListsQuarantinedBatchesAndReplaySendsOneAgain() {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 5, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            Operations operations = world.connector().operations();

            Run empty = run("status", "--url", url);
            assertThat(empty.exit()).as(empty.toString()).isZero();
            assertThat(empty.out()).contains("Tenants: none connected", "Events: 0 received, 0 waiting in the inbox",
                    "Oldest waiting: nothing waits", "Blocked tables: none", "Quarantined batches: none");
            Run json = run("status", "--json", "--url", url);
            assertThat(json.exit()).isZero();
            assertThat(json.out()).startsWith("{").contains("\"waiting\":{\"events\":[],\"rows\":[]}");

            world.freshBooks().generator().step(120); // enough history that the first business has an expense
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            String tenant = tenants.get(0).tenantId();
            FreshBooksSimulator freshBooks = world.freshBooks();
            long expenseId = freshBooks.store().all(tenant, Resource.EXPENSES).stream()
                    .filter(e -> e.path("vis_state").asInt() == 0).findFirst().orElseThrow().path("id").asLong();
            // A value Power BI refuses, for a reason the connector cannot check beforehand: this expense's row.
            world.simulators().powerBi().refuseValue("Refused Vendor");
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Refused Vendor"), ACTOR);
            operations.backfill(tenant, progress -> {});
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !operations.status().quarantined().isEmpty());
            Outbox.Batch batch = operations.status().quarantined().get(0);

            Run status = run("status", "--url", url);
            assertThat(status.exit()).as(status.toString()).isZero();
            assertThat(status.out()).contains("Tenants: " + tenants.size(),
                    "  " + tenants.get(0).businessName() + " (" + tenant + "): active",
                    "Quarantined batches: ", "mlc replay <batch id>",
                    "  " + batch.batchId() + "  expenses (1 rows): 400", "Refused Vendor");

            // The cause is fixed in FreshBooks; the replay drops the refused row with its reversal. It is replayed once
            // the fix is in the ledger (its reversal and new row wait behind the refused row, as mlc explain shows).
            int rowsBeforeFix = operations.explain("expenses", Long.toString(expenseId), tenant).rows().size();
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Springfield Supplies"), ACTOR);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    operations.explain("expenses", Long.toString(expenseId), tenant).rows().size() >= rowsBeforeFix + 2);
            Run replayed = run("replay", batch.batchId(), "--url", url);
            assertThat(replayed.exit()).as(replayed.toString()).isZero();
            assertThat(replayed.out()).contains("Batch " + batch.batchId() + " is replayed");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(operations.status().quarantined()).isEmpty();
                assertThat(operations.status().outboxUnsent()).isZero();
                assertThat(world.simulators().powerBi().rows(operations.status().datasetId(), "expenses"))
                        .filteredOn(r -> String.valueOf(r.get("expense_id")).equals(String.valueOf(expenseId)))
                        .extracting(r -> r.get("vendor")).containsExactly("Springfield Supplies");
            });

            Run again = run("replay", batch.batchId(), "--url", url);
            assertThat(again.exit()).as(again.toString()).isEqualTo(1);
            assertThat(again.err()).contains("is not quarantined");
            assertThat(run("replay", "no-such-batch", "--url", url).exit()).isEqualTo(1);
        }
    }

    @Test
    void noServiceIsOneMessage() {
        Run down = run("status", "--url", "http://127.0.0.1:9");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("no connector answers at http://127.0.0.1:9", "mlc serve")
                .doesNotContain("\tat ");
    }
}
