package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.store.Callback;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc webhooks list | repair} against a running connector and the FreshBooks simulator: a callback deleted at
 * FreshBooks and a stray one at our URLs show in list; repair fixes both; invoice deliveries flow again.
 */
public class WebhooksCommandIT {
    @TempDir
    Path dataDir;

    @Test
    void listShowsADeletedCallbackAndRepairBringsDeliveriesBack() {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            world.freshBooks().generator().step(20);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            String tenant = tenants.get(0).tenantId();
            FreshBooksSimulator freshBooks = world.freshBooks();

            Run healthy = DatasetCommandIT.run("webhooks", "list", "--url", url);
            assertThat(healthy.exit()).as(healthy.toString()).isZero();
            assertThat(healthy.out()).contains(tenant, "invoice", "verified");

            long invoiceCallback = callbackId(world, tenant, "invoice");
            freshBooks.webhooks().delete(tenant, invoiceCallback);
            String stray = world.config().server().publicBaseUrl().resolve("/hooks/freshbooks/not-one-of-ours").toString();
            freshBooks.webhooks().register(tenant, "payment", stray, freshBooks.ownerActor(tenant));

            Run broken = DatasetCommandIT.run("webhooks", "list", "--tenant", tenant, "--url", url);
            assertThat(broken.exit()).as(broken.toString()).isEqualTo(WebhooksCommand.NOT_ALL_OK);
            assertThat(broken.out().lines().filter(l -> l.trim().startsWith("invoice")).toList()).singleElement()
                    .asString().contains("none", "missing at freshbooks", "mlc webhooks repair");
            assertThat(broken.out()).contains("unknown to us");

            Run repaired = DatasetCommandIT.run("webhooks", "repair", "--tenant", tenant, "--url", url);
            assertThat(repaired.exit()).as(repaired.toString()).isIn(0, WebhooksCommand.NOT_ALL_OK);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Run again = DatasetCommandIT.run("webhooks", "list", "--url", url);
                assertThat(again.exit()).as(again.toString()).isZero();
            });
            long newCallback = callbackId(world, tenant, "invoice");
            assertThat(newCallback).isNotEqualTo(invoiceCallback);
            assertThat(freshBooks.webhooks().list(tenant, null)).noneMatch(c -> stray.equals(c.path("uri").asString()));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                freshBooks.generator().step(5);
                assertThat(freshBooks.deliveryLog()).anyMatch(d -> d.callbackId() == newCallback
                        && d.name().startsWith("invoice.") && d.outcome() == DeliveryAttempt.Outcome.DELIVERED);
            });
        }
    }

    /**
     * A lost callback.verify: FreshBooks has the callback, we never got (or confirmed) its verifier. List shows it
     * unverified; repair asks FreshBooks to send callback.verify again, and the handshake finishes by itself.
     */
    @Test
    void aLostVerificationIsFinishedByRepair() {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            String tenant = tenants.get(0).tenantId();
            // The same H2 database, through a second pool in this JVM: forget the expense callback's handshake.
            try (io.mlconnector.store.Database store = io.mlconnector.store.Database.open(world.config().store())) {
                int forgotten = store.jdbi().withHandle(h -> h.createUpdate("UPDATE callback SET verified = FALSE,"
                                + " verifier_enc = NULL, verified_at = NULL WHERE tenant_id = :tenant AND event = 'expense'")
                        .bind("tenant", tenant).execute());
                assertThat(forgotten).isEqualTo(1);
            }

            Run unverified = DatasetCommandIT.run("webhooks", "list", "--tenant", tenant, "--url", url);
            assertThat(unverified.exit()).as(unverified.toString()).isEqualTo(WebhooksCommand.NOT_ALL_OK);
            assertThat(unverified.out().lines().filter(l -> l.trim().startsWith("expense")).toList()).singleElement()
                    .asString().contains("unverified", "mlc webhooks repair");

            DatasetCommandIT.run("webhooks", "repair", "--url", url);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Run again = DatasetCommandIT.run("webhooks", "list", "--url", url);
                assertThat(again.exit()).as(again.toString()).isZero();
            });
            assertThat(world.connector().operations().webhooks(tenant)).allMatch(Callback::verified);
        }
    }

    private static long callbackId(DemoWorld world, String tenant, String event) {
        return world.connector().operations().webhooks(tenant).stream().filter(c -> c.event().equals(event))
                .map(Callback::callbackId).findFirst().orElseThrow();
    }
}
