package io.mlconnector.demo;

import io.mlconnector.app.Operations;
import io.mlconnector.pipeline.Sweeper;
import io.mlconnector.store.Tenant;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code mlc demo} shows, step by step: three simulated businesses with some history, connected
 * through OAuth, their webhooks registered and verified, the history backfilled with a progress line,
 * then live changes streaming into one shared Power BI dataset, with a running count until stopped.
 */
public final class DemoRun {
    private final DemoWorld world;
    private final PrintStream out;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public DemoRun(DemoWorld world, PrintStream out, Clock clock) {
        this.world = world;
        this.out = out;
        this.clock = clock;
    }

    /** Runs until {@code duration} has passed (null: until {@code stop} counts down). */
    public void run(int historySteps, Duration duration, CountDownLatch stop) throws InterruptedException {
        giveHistory(historySteps);

        List<Tenant> tenants = world.connectBusinesses();
        out.println("Connected through FreshBooks OAuth:");
        tenants.forEach(t -> out.printf("  %-8s %s%n", t.tenantId(), t.businessName()));

        world.registerWebhooks(Duration.ofSeconds(30));
        out.println("Webhooks registered and verified for " + tenants.size() + " businesses.");

        Operations operations = world.connector().operations();
        for (Tenant tenant : tenants) {
            long records = operations.backfill(tenant.tenantId(), this::printProgress);
            out.printf("%n  %s: %d records backfilled%n", tenant.businessName(), records);
        }

        printWhereToLook(world.adminUrl().toString());
        stream(duration, stop, () -> printStatus(operations.status()));
        new DemoProof(world, out, clock).drainAndCompare(() -> {
            Operations.Status status = operations.status();
            return new DemoProof.Snapshot(status.inboxPending(), status.outboxUnsent(), status.datasetId(),
                    status.tenants().stream().map(Tenant::tenantId).toList());
        }, drainTimeout(stop));
    }

    /** After Ctrl-C the JVM gives the demo 30 s to stop, so the drain gets less time then. */
    private static Duration drainTimeout(CountDownLatch stop) {
        return stop.getCount() == 0 ? Duration.ofSeconds(20) : DRAIN_TIMEOUT;
    }

    /** How long the demo waits at its end for the last changes to reach Power BI. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The same flow against a {@link ConnectorCluster}, everything through its load balancer: the businesses connect
     * through the browser flow (the instance that takes the OAuth callback registers the webhooks and backfills),
     * FreshBooks' webhooks reach any instance, and each status line says which instance owns the route's push stream.
     */
    public void runCluster(ConnectorCluster cluster, int historySteps, Duration duration, CountDownLatch stop)
            throws InterruptedException {
        giveHistory(historySteps);
        out.println("Cluster: " + cluster.instances().size() + " connector processes on one PostgreSQL, behind HAProxy at "
                + cluster.url() + ":");
        for (ConnectorProcess instance : cluster.instances()) {
            out.printf("  %-6s pid %-7d public %s  admin %s  log %s%n", instance.name(), instance.pid(), instance.baseUrl(),
                    instance.adminUrl(), instance.logFile());
        }

        world.connectThroughBrowser(cluster.adminUrl());
        world.awaitWebhooksVerified(Duration.ofSeconds(30));
        out.println("Connected through FreshBooks OAuth via one-time links (mlc connect freshbooks) opened at "
                + cluster.url() + "/oauth/freshbooks/start:");
        JsonNode status = clusterStatus(cluster);
        if (status != null) {
            status.path("tenants").forEach(t -> out.printf("  %-8s %s%n", t.path("tenantId").asString(),
                    t.path("businessName").asString()));
        }
        out.println("Webhooks registered and verified; the instance that took each OAuth callback backfills its businesses.");

        printWhereToLook(cluster.adminUrl().toString());
        out.println("  HAProxy config    " + cluster.balancer().logFile().resolveSibling("haproxy.cfg"));
        stream(duration, stop, () -> printClusterStatus(cluster));
        new DemoProof(world, out, clock).drainAndCompare(() -> {
            JsonNode now = clusterStatus(cluster);
            if (now == null) {
                return new DemoProof.Snapshot(-1, -1, null, List.of());
            }
            List<String> tenants = new java.util.ArrayList<>();
            now.path("tenants").forEach(t -> tenants.add(t.path("tenantId").asString()));
            return new DemoProof.Snapshot(now.path("inboxPending").asLong(), now.path("outboxUnsent").asLong(),
                    now.path("datasetId").isString() ? now.path("datasetId").asString() : null, tenants);
        }, drainTimeout(stop));
    }

    private void giveHistory(int historySteps) {
        out.println("Simulators:");
        world.simulators().services().forEach(s -> out.printf("  %-11s %s%n", s.name(), s.baseUrl()));
        out.println("Giving the simulated businesses some history (" + historySteps + " bookkeeping steps)...");
        world.freshBooks().generator().step(historySteps);
    }

    /** {@code adminUrl}: the admin listener (loopback), where status and metrics live; the public one has neither. */
    private void printWhereToLook(String adminUrl) {
        out.println();
        out.println("Where to look:");
        out.println("  status page       " + adminUrl + "/");
        out.println("  status API        " + adminUrl + "/api/status");
        out.println("  metrics           " + adminUrl + "/metrics");
        out.println("  Power BI (sim)    " + world.simulators().powerBi().baseUrl() + "/sim");
        out.println("  dashboard         " + world.simulators().powerBi().baseUrl() + "/sim/dashboard"
                + "  (aging, payments and cash by week, expenses by client, over the rows Power BI holds)");
    }

    /** Live changes, with a status line every two seconds, until {@code duration} has passed or {@code stop}. */
    private void stream(Duration duration, CountDownLatch stop, Runnable printStatus) throws InterruptedException {
        out.println("Streaming live changes" + (duration == null ? " (Ctrl-C to stop)" : " for " + duration.toSeconds() + " s")
                + "...");
        world.freshBooks().generator().startTimer(Duration.ofMillis(500), 2);
        Instant end = duration == null ? Instant.MAX : clock.instant().plus(duration);
        while (clock.instant().isBefore(end) && !stop.await(2, TimeUnit.SECONDS)) {
            printStatus.run();
        }
        world.freshBooks().generator().stopTimer();
        printStatus.run();
    }

    private void printProgress(Sweeper.Progress p) {
        int width = 20;
        int done = p.pages() == 0 ? width : Math.min(width, width * p.page() / Math.max(1, p.pages()));
        out.printf("\r  backfill %-8s %-14s [%s%s] page %d/%d, %d records, %d rows queued   ", p.tenantId(),
                p.type().eventPrefix() + (p.deletedListing() ? " (deleted)" : ""), "#".repeat(done),
                " ".repeat(width - done), p.page(), Math.max(p.pages(), 1), p.records(), p.outboxRows());
    }

    private void printStatus(Operations.Status status) {
        out.println(statusLine(status.eventsReceived(), status.rowsPushed(), status.inboxPending(), status.outboxUnsent(),
                status.oldestWaiting(), status.at(), status.quarantined().size()));
    }

    /** The status line from an instance's {@code /api/status}, and who owns the route (the lease table). */
    private void printClusterStatus(ConnectorCluster cluster) {
        JsonNode status = clusterStatus(cluster);
        String owner = cluster.routeOwner().map(l -> l.owner() + " (lease token " + l.token() + ")").orElse("nobody yet");
        if (status == null) {
            out.println("  status unavailable | route owner: " + owner);
            return;
        }
        out.println(statusLine(status.path("eventsReceived").asLong(), status.path("rowsPushed").asLong(),
                status.path("inboxPending").asLong(), status.path("outboxUnsent").asLong(),
                instant(status.path("oldestWaiting")), instant(status.path("at")), status.path("quarantined").size())
                + " | route owner: " + owner);
    }

    private static String statusLine(long eventsIn, long rowsPushed, long inboxPending, long outboxUnsent,
                                      Instant oldestWaiting, Instant at, int quarantined) {
        String lag = oldestWaiting == null || at == null ? "none waiting"
                : String.format("oldest waiting %.1f s", Duration.between(oldestWaiting, at).toMillis() / 1000.0);
        return String.format("  events in %6d | rows pushed %7d | waiting: %d events, %d rows | %s%s", eventsIn,
                rowsPushed, inboxPending, outboxUnsent, lag, quarantined == 0 ? "" : " | QUARANTINED batches: " + quarantined);
    }

    /**
     * {@code /api/status} at the admin listener of the first running instance (the numbers come from the shared
     * store); null (and a line saying why) if none answers.
     */
    private JsonNode clusterStatus(ConnectorCluster cluster) {
        URI url = URI.create(cluster.adminUrl() + "/api/status");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                out.println("  GET " + url + " answered HTTP " + response.statusCode());
                return null;
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            out.println("  GET " + url + " failed: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** ISO-8601 text or epoch seconds, as a JSON mapper may write an {@link Instant}; null when absent. */
    private static Instant instant(JsonNode node) {
        if (node.isNumber()) {
            return Instant.ofEpochMilli((long) (node.asDouble() * 1000));
        }
        return node.isString() ? Instant.parse(node.asString()) : null;
    }
}
