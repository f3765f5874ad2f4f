package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.pipeline.Backfills;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.sim.powerbi.StoredRow;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A backfill is sent in whole batches (issue 14: POSTs within 5% of the least possible, rows ÷ 10,000 per table),
 * while a webhook's change that comes during a backfill still goes at once.
 */
class BackfillBatchingIT {
    private static final int MOST_ROWS_PER_POST = 10_000;

    @TempDir
    Path dataDir;

    @Test
    void aBackfillPostsWholeBatchesAndALiveChangeDuringOneGoesAtOnce() {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 61, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            PowerBiSimulator powerBi = world.simulators().powerBi();
            Operations operations = world.connector().operations();
            freshBooks.generator().step(20);
            List<Tenant> tenants = world.connectBusinesses();
            String backfilled = tenants.get(0).tenantId();
            freshBooks.generator().createInvoices(backfilled, 4_500); // 1–4 lines each: over 10,000 invoice_lines rows
            String datasetId = operations.status().datasetId();

            // A backfill alone: each table's rows in as few POSTs as Power BI allows, give or take one.
            Instant start = Instant.now();
            operations.backfill(backfilled, progress -> {});
            awaitNothingUnsent(operations);
            for (String table : List.of("invoices", "invoice_lines")) {
                long rows = powerBi.storedRows(datasetId, table).stream().filter(r -> !r.arrivedAt().isBefore(start)).count();
                long posts = powerBi.postRowsLog().stream().filter(p -> p.datasetId().equals(datasetId)
                        && p.table().equals(table) && p.applied() && !p.receivedAt().isBefore(start)).count();
                long least = (rows + MOST_ROWS_PER_POST - 1) / MOST_ROWS_PER_POST;
                assertThat(posts).as("POSTs of %d %s rows (least possible %d)", rows, table, least)
                        .isBetween(least, least + Math.max(1, least / 20));
            }
            assertThat(powerBi.storedRows(datasetId, "invoice_lines").stream()
                    .filter(r -> !r.arrivedAt().isBefore(start)).count()).as("invoice_lines rows backfilled")
                    .isGreaterThan(MOST_ROWS_PER_POST);

            // Another business is backfilled slowly (FreshBooks takes a second per page of 100 invoices), so its rows
            // keep coming and wait for a whole batch; meanwhile a third business changes an invoice.
            String slow = tenants.get(2).tenantId();
            String live = tenants.get(1).tenantId();
            freshBooks.generator().createInvoices(slow, 1_500); // before webhooks: only the backfill reads them
            long changed = freshBooks.generator().createInvoices(live, 1).get(0);
            world.registerWebhooks(Duration.ofSeconds(30));
            freshBooks.apiFaults().add(FaultInjector.Rule.latency(1.0, Duration.ofSeconds(1))
                    .onPathsContaining("/accounting/account/" + slow + "/invoices/invoices"));
            Tenant slowTenant = tenants.get(2);
            Backfills.Snapshot slowBackfill = operations.backfills().start(List.of(slowTenant), List.of(ObjectType.INVOICE),
                    null, false);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    operations.backfillProgress(slowBackfill.id()).orElseThrow().page() >= 2);

            ObjectNode input = JsonNodeFactory.instance.objectNode();
            ObjectNode line = input.putArray("lines").addObject();
            line.put("name", "Live work during a backfill").put("qty", "1");
            line.putObject("unit_cost").put("amount", "321.00").put("code", "USD");
            Instant changedAt = Instant.now();
            freshBooks.store().update(live, Resource.INVOICES, changed, input, new Actor(1, 1));

            AtomicReference<Backfills.State> backfillWhenItArrived = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Backfills.State state = operations.backfillProgress(slowBackfill.id()).orElseThrow().state();
                boolean arrived = powerBi.storedRows(datasetId, "invoice_lines").stream()
                        .anyMatch(r -> "Live work during a backfill".equals(r.values().get("name")));
                backfillWhenItArrived.set(state);
                return arrived;
            });
            Instant arrivedAt = powerBi.storedRows(datasetId, "invoice_lines").stream()
                    .filter(r -> "Live work during a backfill".equals(r.values().get("name")))
                    .map(StoredRow::arrivedAt).findFirst().orElseThrow();
            assertThat(backfillWhenItArrived.get()).as("the slow backfill when the live change was in Power BI")
                    .isEqualTo(Backfills.State.FETCHING);
            assertThat(Duration.between(changedAt, arrivedAt)).as("from the change to Power BI")
                    .isLessThan(Duration.ofSeconds(10));
            freshBooks.apiFaults().clear();
            await().atMost(Duration.ofSeconds(120)).until(() ->
                    operations.backfillProgress(slowBackfill.id()).orElseThrow().state() == Backfills.State.DONE);
            Backfills.Snapshot done = operations.backfillProgress(slowBackfill.id()).orElseThrow();
            assertThat(done.rowsQueued()).as("rows of the slow backfill").isGreaterThan(1_500);
            assertThat(done.rowsPushed()).as("rows of the slow backfill in Power BI").isEqualTo(done.rowsQueued());
            PowerBiTruth.assertTenantMatchesTruth(world, datasetId, backfilled);
        }
    }

    private static void awaitNothingUnsent(Operations operations) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Operations.Status status = operations.status();
            return status.inboxPending() == 0 && status.outboxUnsent() == 0;
        });
    }
}
