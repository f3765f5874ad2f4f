package io.mlconnector.cli;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code mlc replay --table/--from/--to/--error} against a whole connector: a batch Power BI refused (400) is replayed
 * only by a selection that matches its table, time and error class; the others say what they found.
 */
class ReplaySelectionIT {
    private static final Actor ACTOR = new Actor(1, 1);

    @TempDir
    Path dataDir;

    private static ObjectNode vendor(String name) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.put("vendor", name);
        return input;
    }

    @Test
    void quarantinedBatchesReplayedByTableTimeAndErrorClass() {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 5, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            Operations operations = world.connector().operations();
            Instant before = Instant.now().minusSeconds(1);
            world.freshBooks().generator().step(120);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            String tenant = tenants.get(0).tenantId();
            FreshBooksSimulator freshBooks = world.freshBooks();
            long expenseId = freshBooks.store().all(tenant, Resource.EXPENSES).stream()
                    .filter(e -> e.path("vis_state").asInt() == 0).findFirst().orElseThrow().path("id").asLong();
            world.simulators().powerBi().refuseValue("Refused Vendor");
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Refused Vendor"), ACTOR);
            operations.backfill(tenant, progress -> {});
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !operations.status().quarantined().isEmpty());

            Run otherTable = run("replay", "--table", "invoices", "--url", url);
            assertThat(otherTable.exit()).as(otherTable.toString()).isZero();
            assertThat(otherTable.out()).contains("No quarantined batch matches; nothing replayed.");
            Run otherClass = run("replay", "--table", "expenses", "--error", "http-503", "--url", url);
            assertThat(otherClass.out()).contains("No quarantined batch matches; nothing replayed (error classes of "
                    + "those in range: http-400 1).");
            Run earlier = run("replay", "--to", before.toString(), "--url", url);
            assertThat(earlier.out()).contains("No quarantined batch matches; nothing replayed.");
            assertThat(operations.status().quarantined()).hasSize(1);

            // Fixed in FreshBooks; once the fix is in the ledger (its reversal and new row wait behind the refused
            // row), the selection replays it. (Counting rows waiting instead raced other tables' rows.)
            int rowsBeforeFix = operations.explain("expenses", Long.toString(expenseId), tenant).rows().size();
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Springfield Supplies"), ACTOR);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    operations.explain("expenses", Long.toString(expenseId), tenant).rows().size() >= rowsBeforeFix + 2);
            Run replayed = run("replay", "--table", "expenses", "--from", before.toString(), "--error", "http-400",
                    "--url", url);
            assertThat(replayed.exit()).as(replayed.toString()).isZero();
            assertThat(replayed.out()).contains("Queued again 1 quarantined batch (error classes of those in range: "
                    + "http-400 1)");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(operations.status().quarantined()).isEmpty();
                assertThat(operations.status().outboxUnsent()).isZero();
                assertThat(world.simulators().powerBi().rows(operations.status().datasetId(), "expenses"))
                        .filteredOn(r -> String.valueOf(r.get("expense_id")).equals(String.valueOf(expenseId)))
                        .extracting(r -> r.get("vendor")).containsExactly("Springfield Supplies");
            });

            Run noDeadLetters = run("replay", "--dead-letters", "--error", "http-404", "--url", url);
            assertThat(noDeadLetters.exit()).as(noDeadLetters.toString()).isZero();
            assertThat(noDeadLetters.out()).contains("No dead-lettered record matches; nothing replayed.");

            // Mistakes: one line, naming the option.
            Run mixed = run("replay", "--table", "expenses", "--tenant", tenant, "--url", url);
            assertThat(mixed.exit()).as(mixed.toString()).isEqualTo(2);
            assertThat(mixed.err()).contains("--table, --from, --to and --error select quarantined batches");
            Run badTime = run("replay", "--from", "yesterday", "--url", url);
            assertThat(badTime.exit()).as(badTime.toString()).isEqualTo(2);
            assertThat(badTime.err()).contains("'yesterday' is not a time");
            Run badTable = run("replay", "--table", "expense", "--url", url);
            assertThat(badTable.exit()).as(badTable.toString()).isEqualTo(1);
            assertThat(badTable.err()).contains("--table: no table 'expense'", "expenses").doesNotContain("\tat ");
            Run backwards = run("replay", "--from", "2026-01-02", "--to", "2026-01-01", "--url", url);
            assertThat(backwards.err()).contains("is not before --to");
        }
    }
}
