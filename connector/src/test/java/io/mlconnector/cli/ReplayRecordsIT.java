package io.mlconnector.cli;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.store.Tenant;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code mlc replay --tenant … --record TYPE:ID} and {@code --type TYPE --since DATE} against a whole running connector
 * (the demo's): invoices change in FreshBooks while every webhook is dropped, so only a replay brings Power BI to
 * their new amounts; a record replayed again pushes nothing; bad options and unknown tenants are one-line errors.
 */
class ReplayRecordsIT {
    private static final Actor ACTOR = new Actor(1, 1);

    @TempDir
    Path dataDir;

    @Test
    void replayReFetchesRecordsWhoseWebhooksWereLost() {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 7, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            Operations operations = world.connector().operations();
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(40);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            String tenant = tenants.get(0).tenantId();
            operations.backfill(tenant, progress -> {});
            awaitQuiet(operations);
            String datasetId = operations.status().datasetId();
            List<Long> invoices = freshBooks.store().all(tenant, Resource.INVOICES).stream()
                    .filter(i -> i.path("vis_state").asInt() == 0).map(i -> i.path("id").asLong()).limit(3).toList();
            assertThat(invoices).hasSize(3);

            // FreshBooks changes an invoice; its webhook never reaches the connector.
            freshBooks.deliveryFaults().dropShare(1.0);
            long one = invoices.get(0);
            BigDecimal before = amountInPowerBi(world, datasetId, tenant, one);
            BigDecimal changed = setAmount(freshBooks, tenant, one, "1234.56");
            assertThat(changed).isNotEqualByComparingTo(before);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(freshBooks.deliveryLog())
                    .filteredOn(a -> a.name().equals("invoice.update"))
                    .extracting(DeliveryAttempt::outcome).contains(DeliveryAttempt.Outcome.DROPPED));
            assertThat(amountInPowerBi(world, datasetId, tenant, one)).as("no webhook, no change")
                    .isEqualByComparingTo(before);

            Run record = run("replay", "--tenant", tenant, "--record", "invoice:" + one, "--url", url);
            assertThat(record.exit()).as(record.toString()).isZero();
            assertThat(record.out()).contains("Queued a re-fetch of invoice " + one + " of tenant " + tenant,
                    "mlc status");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(amountInPowerBi(world, datasetId, tenant, one)).isEqualByComparingTo(changed));

            // The same record again: fetched, already in the ledger at that version, nothing pushed.
            awaitQuiet(operations);
            long pushed = operations.status().rowsPushed();
            long received = operations.status().eventsReceived();
            Run again = run("replay", "--tenant", tenant, "--record", "invoice:" + one, "--url", url);
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(operations.status().eventsReceived()).isEqualTo(received + 1);
            awaitQuiet(operations);
            assertThat(operations.status().rowsPushed()).as("rows pushed by a replay of an unchanged record")
                    .isEqualTo(pushed);

            // Two more invoices change unseen; a replay of the tenant's invoices changed today brings both.
            BigDecimal two = setAmount(freshBooks, tenant, invoices.get(1), "2222.22");
            BigDecimal three = setAmount(freshBooks, tenant, invoices.get(2), "3333.33");
            LocalDate today = LocalDate.now(ZoneId.of("America/New_York"));
            Run listing = run("replay", "--tenant", tenant, "--type", "invoice", "--since", today.toString(),
                    "--url", url);
            assertThat(listing.exit()).as(listing.toString()).isZero();
            assertThat(listing.out()).contains("Started a re-fetch of invoice records changed since " + today
                    + " of tenant " + tenant, "mlc status");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(amountInPowerBi(world, datasetId, tenant, invoices.get(1))).isEqualByComparingTo(two);
                assertThat(amountInPowerBi(world, datasetId, tenant, invoices.get(2))).isEqualByComparingTo(three);
            });

            // Every type of every active tenant: starts, and answers with the tenants it covers.
            Run all = run("replay", "--tenant", "all", "--url", url);
            assertThat(all.exit()).as(all.toString()).isZero();
            assertThat(all.out()).contains("Started a re-fetch of every type's records of " + tenants.size() + " tenants");

            // Errors: each names the option and what it accepts.
            Run badType = run("replay", "--tenant", tenant, "--record", "invoices:" + one, "--url", url);
            assertThat(badType.exit()).as(badType.toString()).isEqualTo(2);
            assertThat(badType.err()).contains("--record: 'invoices:" + one + "' is not TYPE:ID with TYPE one of invoice, "
                    + "payment, expense, client, bill, bill_vendor, category");
            Run noId = run("replay", "--tenant", tenant, "--record", "invoice", "--url", url);
            assertThat(noId.exit()).as(noId.toString()).isEqualTo(2);
            Run badListingType = run("replay", "--tenant", tenant, "--type", "widget", "--url", url);
            assertThat(badListingType.exit()).as(badListingType.toString()).isEqualTo(2);
            assertThat(badListingType.err()).contains("--type: no record type 'widget'; types: invoice,", "ledger_account");
            Run badDate = run("replay", "--tenant", tenant, "--since", "yesterday", "--url", url);
            assertThat(badDate.exit()).as(badDate.toString()).isEqualTo(2);
            assertThat(badDate.err()).contains("--since");
            Run both = run("replay", "some-batch", "--tenant", tenant, "--url", url);
            assertThat(both.exit()).as(both.toString()).isEqualTo(2);
            Run neither = run("replay", "--url", url);
            assertThat(neither.exit()).as(neither.toString()).isEqualTo(2);

            Run unknownRecord = run("replay", "--tenant", "no-such-tenant", "--record", "invoice:1", "--url", url);
            assertThat(unknownRecord.exit()).as(unknownRecord.toString()).isEqualTo(1);
            assertThat(unknownRecord.err().strip()).isEqualTo("--tenant: no tenant 'no-such-tenant'; tenants: "
                    + String.join(", ", tenants.stream().map(Tenant::tenantId).toList()));
            Run unknownListing = run("replay", "--tenant", "no-such-tenant", "--url", url);
            assertThat(unknownListing.exit()).as(unknownListing.toString()).isEqualTo(1);
            assertThat(unknownListing.err()).contains("--tenant: no tenant 'no-such-tenant'");
            assertThat(operations.status().eventsReceived()).as("nothing queued by a refused replay")
                    .isEqualTo(received + 1);
        }
    }

    private static void awaitQuiet(Operations operations) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Operations.Status status = operations.status();
            return status.inboxPending() == 0 && status.outboxUnsent() == 0;
        });
    }

    /** One line at the given unit cost: FreshBooks recomputes the invoice's amount; returns it. */
    private static BigDecimal setAmount(FreshBooksSimulator freshBooks, String tenant, long invoiceId, String unitCost) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        ObjectNode line = input.putArray("lines").addObject();
        line.put("name", "Replayed work");
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
