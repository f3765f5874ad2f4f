package io.mlconnector.bench;

import io.mlconnector.app.Operations;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.RecordChange;
import io.mlconnector.sim.freshbooks.WebhookEvent;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.node.ObjectNode;

/**
 * Coalescing (issue 14, item 4): one invoice edited once in FreshBooks, then delivered 100 times within a second
 * (FreshBooks' own delivery and 99 more, as a retrying or duplicating sender would): how many times the connector
 * fetches it and how many rows it pushes for it.
 */
final class CoalescingBench {

    record Result(int webhooks, int accepted, long fetches, long invoiceRows, long lineRows, Duration settledIn) {}

    private CoalescingBench() {}

    static Result run(Path dir) {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dir), Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(100);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                world.connector().operations().backfill(tenant.tenantId(), progress -> {});
            }
            Bench.settle(world.connector().operations());

            WebhookEvent edit = editOneInvoice(freshBooks);
            Instant start = Instant.now();
            ObjectNode callback = freshBooks.webhooks().list(edit.accountId(), "invoice.update").stream()
                    .filter(c -> List.of("invoice", "invoice.update").contains(c.path("event").asString())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no invoice callback registered"));
            String verifier = freshBooks.webhooks().verifierOf(edit.accountId(), callback.path("callbackid").asLong())
                    .orElseThrow();
            URI target = URI.create("http://127.0.0.1:" + world.connector().port())
                    .resolve(URI.create(callback.path("uri").asString()).getPath());
            Map<String, String> form = new java.util.LinkedHashMap<>(edit.form());
            String body = SignedDeliveries.body(form);
            String signature = WebhookSignature.sign(form, verifier);
            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
            for (int i = 0; i < 99; i++) {
                sent.add(http.sendAsync(HttpRequest.newBuilder(target)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header(WebhookSignature.HEADER, signature)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()));
            }
            int accepted = (int) sent.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 204).count();
            Duration settledIn = Bench.settle(world.connector().operations());

            String invoicePath = "/invoices/invoices/" + edit.objectId();
            long fetches = freshBooks.requestLog().stream().filter(r -> r.method().equals("GET")
                    && !r.at().isBefore(start.minusSeconds(1)) && r.path().endsWith(invoicePath)).count();
            PowerBiSimulator powerBi = world.simulators().powerBi();
            String datasetId = world.connector().operations().status().datasetId();
            return new Result(100, accepted + 1, fetches,
                    rowsFor(powerBi, datasetId, "invoices", edit.objectId(), start),
                    rowsFor(powerBi, datasetId, "invoice_lines", edit.objectId(), start), settledIn);
        }
    }

    /** Steps the simulated businesses until one of them updates an invoice (and FreshBooks delivers that once). */
    private static WebhookEvent editOneInvoice(FreshBooksSimulator freshBooks) {
        for (int step = 0; step < 1_000; step++) {
            int seen = freshBooks.changeLog().size();
            freshBooks.generator().step(1);
            List<RecordChange> changes = freshBooks.changeLog();
            for (RecordChange change : changes.subList(seen, changes.size())) {
                if (change.event().name().equals("invoice.update")) {
                    return change.event();
                }
            }
        }
        throw new IllegalStateException("no invoice was updated in 1,000 steps of the simulated businesses");
    }

    /** Rows for one invoice that reached Power BI after {@code since}: a reversal and the new rows per change. */
    private static long rowsFor(PowerBiSimulator powerBi, String datasetId, String table, long invoiceId, Instant since) {
        return powerBi.storedRows(datasetId, table).stream()
                .filter(r -> !r.arrivedAt().isBefore(since))
                .filter(r -> String.valueOf(r.values().get("invoice_id")).equals(Long.toString(invoiceId)))
                .count();
    }
}
