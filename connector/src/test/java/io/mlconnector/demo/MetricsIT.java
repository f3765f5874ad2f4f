package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's metrics test: the connector with the simulators, {@code /metrics} on the admin listener scraped twice
 * while changes stream (with a 429 storm and token expiries between the scrapes): each series exists, and the
 * counters of work done move.
 */
class MetricsIT {
    /** Short token lives, so both kinds are refreshed between the scrapes (see EndToEndIT). */
    private static final Duration POWER_BI_TOKEN_LIFE = Duration.ofSeconds(12);
    private static final int FRESHBOOKS_TOKEN_SECONDS = 310;

    @TempDir
    Path dataDir;

    @Test
    void everySeriesExistsAndTheWorkCountersMoveWhileChangesStream() throws Exception {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 17, 0, POWER_BI_TOKEN_LIFE, FRESHBOOKS_TOKEN_SECONDS,
                Duration.ofMillis(300));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            PowerBiSimulator powerBi = world.simulators().powerBi();
            freshBooks.generator().step(60);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                world.connector().operations().backfill(tenant.tenantId(), progress -> {});
            }
            stream(freshBooks, Duration.ofSeconds(5));
            int rejected = postToUnknownCallback(world);
            assertThat(rejected).isEqualTo(404);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    PrometheusText.scrape(world.adminUrl()).sum("freshness_seconds_count") > 0);
            PrometheusText first = PrometheusText.scrape(world.adminUrl());

            powerBi.faults().add(Rule.throttle(1.0, 2).during(Instant.now(), null).times(2).onPathsContaining("/rows"));
            stream(freshBooks, Duration.ofSeconds(20)); // longer than the Power BI token's life
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                    world.connector().operations().status().outboxUnsent() == 0
                            && world.connector().operations().status().inboxPending() == 0);
            PrometheusText second = PrometheusText.scrape(world.adminUrl());

            for (PrometheusText scrape : List.of(first, second)) {
                // Webhooks
                assertThat(scrape.has("webhook_received_total")).as("webhook_received_total").isTrue();
                assertThat(scrape.has("webhook_accepted_total", "kind=\"event\"")).as("webhook_accepted_total").isTrue();
                assertThat(scrape.has("webhook_rejected_total", "reason=\"unknown_token\"")).as("webhook_rejected_total").isTrue();
                assertThat(scrape.has("inbox_group_commit_seconds_count")).as("group commit timer").isTrue();
                // Backlog, cluster-wide gauges
                for (String gauge : List.of("inbox_pending_events", "inbox_oldest_pending_age_seconds", "outbox_unsent_rows",
                        "outbox_oldest_unsent_age_seconds", "inbox_dead_letters", "outbox_quarantined_batches",
                        "outbox_unknown_outcome_batches", "powerbi_route_paused", "powerbi_blocked_tables",
                        "control_totals_differing_tables")) {
                    assertThat(scrape.has(gauge)).as(gauge).isTrue();
                    assertThat(scrape.sum(gauge)).as(gauge + " is a number").isNotNaN().isGreaterThanOrEqualTo(0);
                }
                assertThat(scrape.sum("tenants", "state=\"active\"")).as("active tenants").isEqualTo(3);
                assertThat(scrape.has("tenants", "state=\"needs_reauthorization\"")).isTrue();
                for (Tenant tenant : tenants) {
                    assertThat(scrape.has("freshness_waiting_age_seconds", "tenant=\"" + tenant.tenantId() + "\""))
                            .as("waiting age of " + tenant.tenantId()).isTrue();
                }
                // Work done, per instance
                assertThat(scrape.has("freshbooks_fetches_total", "outcome=\"found\"")).isTrue();
                assertThat(scrape.has("powerbi_rows_pushed_total", "table=\"invoices\"")).isTrue();
                assertThat(scrape.has("powerbi_post_requests_total", "outcome=\"accepted\"", "status=\"200\"")).isTrue();
                assertThat(scrape.has("powerbi_retry_after_wait_seconds_total")).isTrue();
                assertThat(scrape.has("token_refreshes_total", "service=\"freshbooks\"", "outcome=\"refreshed\"")).isTrue();
                assertThat(scrape.has("token_refreshes_total", "service=\"powerbi\"", "outcome=\"failed\"")).isTrue();
                assertThat(scrape.has("freshness_seconds_bucket", "le=\"60.0\"")).as("freshness histogram").isTrue();
                // JVM and process
                for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                        "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
                        "process_uptime_seconds", "system_cpu_count")) {
                    assertThat(scrape.has(jvm)).as(jvm).isTrue();
                }
            }

            // The moving ones move.
            for (String[] counter : List.<String[]>of(
                    new String[] {"webhook_received_total"},
                    new String[] {"webhook_accepted_total", "kind=\"event\""},
                    new String[] {"freshbooks_fetches_total", "outcome=\"found\""},
                    new String[] {"powerbi_rows_pushed_total"},
                    new String[] {"powerbi_post_requests_total", "outcome=\"accepted\""},
                    new String[] {"powerbi_post_requests_total", "outcome=\"throttled\""},
                    new String[] {"powerbi_retry_after_wait_seconds_total"},
                    new String[] {"token_refreshes_total", "service=\"powerbi\"", "outcome=\"refreshed\""},
                    new String[] {"token_refreshes_total", "service=\"freshbooks\"", "outcome=\"refreshed\""},
                    new String[] {"freshness_seconds_count"},
                    new String[] {"inbox_group_commit_seconds_count"},
                    new String[] {"process_uptime_seconds"})) {
                String name = counter[0];
                String[] labels = java.util.Arrays.copyOfRange(counter, 1, counter.length);
                assertThat(second.sum(name, labels)).as(String.join(" ", counter) + " moved")
                        .isGreaterThan(first.sum(name, labels));
            }
            assertThat(second.sum("powerbi_retry_after_wait_seconds_total") - first.sum("powerbi_retry_after_wait_seconds_total"))
                    .as("at most two 429s with Retry-After: 2 (a DELETE rows may take one)").isBetween(2.0, 4.0);
            double meanFreshness = second.sum("freshness_seconds_sum") / second.sum("freshness_seconds_count");
            assertThat(meanFreshness).as("mean freshness, seconds").isPositive().isLessThan(120);
            assertThat(second.sum("inbox_pending_events")).as("nothing waits at the end").isZero();
            assertThat(second.sum("outbox_unsent_rows")).isZero();

            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(world.adminUrl() + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("/ready: " + ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"store\":\"ok\"", "\"workers\":\"ok\"", "\"keyset\":\"ok\"",
                    "\"powerbi_route\":\"ok\"");
        }
    }

    private static void stream(FreshBooksSimulator freshBooks, Duration during) {
        Instant end = Instant.now().plus(during);
        while (Instant.now().isBefore(end)) {
            freshBooks.generator().step(15);
            DemoWorld.pause(Duration.ofMillis(300));
        }
    }

    /** A delivery to a callback the connector never registered: refused (404), counted as {@code unknown_token}. */
    private static int postToUnknownCallback(DemoWorld world) throws Exception {
        URI hook = URI.create("http://127.0.0.1:" + world.connector().port() + "/hooks/freshbooks/not-a-callback-token");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(hook)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=invoice.create&object_id=1")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
