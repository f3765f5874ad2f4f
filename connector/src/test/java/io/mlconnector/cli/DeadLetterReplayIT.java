package io.mlconnector.cli;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.store.Database;
import io.mlconnector.store.Tenant;
import java.io.IOException;
import java.math.BigDecimal;
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
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Dead letters against a whole running connector (the demo's): an invoice FreshBooks keeps answering 500 for is
 * dead-lettered while another business's changes keep flowing; {@code mlc status} and {@code /metrics} show it with
 * its reason and fix; after the cause is fixed {@code mlc replay --dead-letters} brings the invoice's change to
 * Power BI; bad options and unknown tenants are one-line errors.
 */
class DeadLetterReplayIT {
    private static final Actor ACTOR = new Actor(1, 1);

    @TempDir
    Path dataDir;

    @Test
    void aRecordThatKeepsFailingIsListedWhileOthersFlowAndReplayedOnceFixed() throws Exception {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 11, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            Operations operations = world.connector().operations();
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(40);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            String sick = tenants.get(0).tenantId();
            String healthy = tenants.get(1).tenantId();
            operations.backfill(sick, progress -> {});
            operations.backfill(healthy, progress -> {});
            awaitQuiet(operations);
            String datasetId = operations.status().datasetId();
            long invoice = firstInvoice(freshBooks, sick);
            long otherInvoice = firstInvoice(freshBooks, healthy);
            BigDecimal before = amountInPowerBi(world, datasetId, sick, invoice);

            // The invoice has failed nine times already (pipeline.dead-letter-after is 10); FreshBooks fails it again.
            try (Database store = Database.open(world.config().store())) {
                store.jdbi().useHandle(h -> h.createUpdate("INSERT INTO inbox_work (tenant_id, object_type, object_id,"
                                + " attempts, last_error) VALUES (:tenant, 'invoice', :id, 9, 'earlier failure')")
                        .bind("tenant", sick).bind("id", String.valueOf(invoice)).execute());
            }
            FaultInjector api = freshBooks.apiFaults();
            api.add(Rule.serverError(1.0, 500).onPathsContaining("/account/" + sick + "/invoices/invoices"));
            BigDecimal changed = setAmount(freshBooks, sick, invoice, "1234.56");
            BigDecimal otherChanged = setAmount(freshBooks, healthy, otherInvoice, "4321.00");

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> operations.status().deadLetters().count() == 1);
            await("another business's change").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(amountInPowerBi(world, datasetId, healthy, otherInvoice))
                            .isEqualByComparingTo(otherChanged));
            assertThat(amountInPowerBi(world, datasetId, sick, invoice)).isEqualByComparingTo(before);

            Run status = run("status", "--url", url);
            assertThat(status.exit()).as(status.toString()).isZero();
            assertThat(status.out()).contains(
                    "Dead letters (records whose fetch kept failing): 1 (after fixing the cause: mlc replay --dead-letters)",
                    "  " + sick + " invoice:" + invoice + " (10 attempts, since ",
                    "): FreshBooks answered 500 to GET /accounting/account/" + sick + "/invoices/invoices/" + invoice,
                    "    fix: mlc replay --tenant " + sick + " --record invoice:" + invoice);
            assertThat(get(url + "/metrics")).contains("inbox_dead_letters 1.0");

            api.clear(); // the cause is fixed
            Run replay = run("replay", "--dead-letters", "--tenant", sick, "--url", url);
            assertThat(replay.exit()).as(replay.toString()).isZero();
            assertThat(replay.out()).contains("Re-queued 1 dead-lettered record of tenant " + sick, "mlc status");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(amountInPowerBi(world, datasetId, sick, invoice)).isEqualByComparingTo(changed));
            awaitQuiet(operations);
            assertThat(operations.status().deadLetters().count()).isZero();
            assertThat(get(url + "/metrics")).contains("inbox_dead_letters 0.0");

            Run none = run("replay", "--dead-letters", "--url", url);
            assertThat(none.exit()).as(none.toString()).isZero();
            assertThat(none.out()).contains("No dead-lettered records; nothing re-queued.");
            Run withRecord = run("replay", "--dead-letters", "--record", "invoice:" + invoice, "--url", url);
            assertThat(withRecord.exit()).as(withRecord.toString()).isEqualTo(2);
            assertThat(withRecord.err()).contains("--dead-letters re-queues dead-lettered records");
            Run unknown = run("replay", "--dead-letters", "--tenant", "no-such-tenant", "--url", url);
            assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(1);
            assertThat(unknown.err().strip()).startsWith("--tenant: no tenant 'no-such-tenant'; tenants: ");
        }
    }

    private static long firstInvoice(FreshBooksSimulator freshBooks, String tenant) {
        return freshBooks.store().all(tenant, Resource.INVOICES).stream().filter(i -> i.path("vis_state").asInt() == 0)
                .map(i -> i.path("id").asLong()).findFirst().orElseThrow();
    }

    private static void awaitQuiet(Operations operations) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Operations.Status status = operations.status();
            return status.inboxPending() == 0 && status.outboxUnsent() == 0;
        });
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** One line at the given unit cost: FreshBooks recomputes the invoice's amount; returns it. */
    private static BigDecimal setAmount(FreshBooksSimulator freshBooks, String tenant, long invoiceId, String unitCost) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        ObjectNode line = input.putArray("lines").addObject();
        line.put("name", "Dead letter work");
        line.put("qty", "1");
        line.putObject("unit_cost").put("amount", unitCost).put("code", "USD");
        ObjectNode invoice = freshBooks.store().update(tenant, Resource.INVOICES, invoiceId, input, ACTOR);
        return new BigDecimal(invoice.path("amount").path("amount").asString());
    }

    /** SUM(amount × sign) of the invoice's rows: what a Power BI report shows for it. */
    private static BigDecimal amountInPowerBi(DemoWorld world, String datasetId, String tenant, long invoiceId) {
        return world.simulators().powerBi().rows(datasetId, "invoices").stream()
                .filter(r -> tenant.equals(r.get("tenant")) && String.valueOf(invoiceId).equals(String.valueOf(r.get("invoice_id"))))
                .map(r -> new BigDecimal(String.valueOf(r.get("amount")))
                        .multiply(BigDecimal.valueOf(((Number) r.get("sign")).intValue())))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
