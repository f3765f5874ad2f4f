package io.mlconnector.bench;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.demo.ConnectorCluster;
import io.mlconnector.demo.ConnectorProcess;
import io.mlconnector.demo.DemoPostgres;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.freshbooks.SimBusiness;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Webhook ingest (issue 14, item 1): verified, stored and fsynced webhooks per second and the time to answer, under
 * wrk at several connection counts, for the connector on H2 and on PostgreSQL with 1–3 instances, beside the two
 * ceilings ({@link CeilingServer}) measured in the same run on the same machine.
 */
final class IngestBench {

    /** One measured point. {@code stored} is the store's own count of events added during it (-1: not known). */
    record Point(String target, String store, int instances, int connections, Wrk.Result wrk, long stored,
                 long maxRssMiB, Duration drainedIn, JitWarmUp.Warm warmUp) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Integer> CONNECTIONS = List.of(16, 64);
    /** The longest warm-up: a JVM still compiling after it is measured as it is (and the report says so). */
    private static final Duration MOST_WARM_UP = Duration.ofSeconds(120);

    private final Path workDir;
    private final Wrk wrk;
    private final Path haproxy;
    private final Duration measure;
    private final Duration warmUp;
    /** From {@code mlc serve} started to its first webhook answered 204 (H2, one instance); null before it is measured. */
    private Duration startToFirstWebhook;

    IngestBench(Path workDir, Wrk wrk, Path haproxy, Duration measure) {
        this.workDir = workDir;
        this.wrk = wrk;
        this.haproxy = haproxy;
        this.measure = measure;
        this.warmUp = Duration.ofSeconds(Math.max(3, measure.toSeconds() / 3));
    }

    List<Point> run(List<Integer> postgresInstances) {
        List<Point> points = new ArrayList<>();
        String verifier = "benchVerifier0123456789abcdefghij";
        SignedDeliveries.Callback ceilingCallback = new SignedDeliveries.Callback("/hooks/freshbooks/ceiling",
                "invoice.update", "ACM123", 439000, verifier);
        Path ceilingDeliveries = SignedDeliveries.write(workDir.resolve("ceiling-deliveries.txt"), ceilingCallback,
                ids(200), 20_000);

        Path h2 = workDir.resolve("ceiling-h2");
        String h2Url = "jdbc:h2:file:" + h2.toAbsolutePath().resolve("ceiling") + ";DB_CLOSE_ON_EXIT=FALSE";
        points.addAll(ceiling("verify only", "-", List.of("verify", "", verifier), ceilingDeliveries));
        points.addAll(ceiling("verify + group commit", "H2", List.of("store", "", verifier, h2Url, "sa", ""), ceilingDeliveries));
        points.addAll(connector("H2", 1, null));

        if (!postgresInstances.isEmpty()) {
            try (DemoPostgres postgres = DemoPostgres.start(workDir.resolve("ceiling-pg"))) {
                ConnectorConfig.Store pg = postgres.store();
                points.addAll(ceiling("verify + group commit", "PostgreSQL",
                        List.of("store", "", verifier, pg.jdbcUrl(), pg.username(), pg.password()), ceilingDeliveries));
            }
            for (int n : postgresInstances) {
                try (DemoPostgres postgres = DemoPostgres.start(workDir.resolve("pg-" + n + "-db"))) {
                    points.addAll(connector("PostgreSQL", n, postgres.store()));
                }
            }
        }
        return points;
    }

    /** Only the connector on H2, one instance (with its start to first webhook): what {@link IngestConnector} measures. */
    List<Point> connectorOnH2() {
        return connector("H2", 1, null);
    }

    /** Only the connector on a PostgreSQL store with {@code instances} instances. */
    List<Point> connectorOn(ConnectorConfig.Store postgres, int instances) {
        return connector("PostgreSQL", instances, postgres);
    }

    private List<Point> ceiling(String name, String store, List<String> args, Path deliveries) {
        int port = DemoWorld.freePort();
        List<String> withPort = new ArrayList<>(args);
        withPort.set(1, Integer.toString(port));
        System.out.printf("ingest: ceiling '%s' (%s)%n", name, store);
        try (ChildJvm server = ChildJvm.start(workDir.resolve(("ceiling-" + name + "-" + store).replaceAll("\\W+", "-")), "server",
                CeilingServer.class.getName(), withPort)) {
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            server.awaitAnswer(base.resolve("/health"), Duration.ofSeconds(60));
            JitWarmUp.Warm warm = JitWarmUp.run(wrk, base, deliveries, 64, List.of(server.pid()), warmUp, MOST_WARM_UP);
            List<Point> points = new ArrayList<>();
            for (int connections : CONNECTIONS) {
                RssSampler rss = RssSampler.start(List.of(server.pid()));
                Wrk.Result result = wrk.run(base, deliveries, connections, measure);
                points.add(print(new Point(name, store, 1, connections, result, -1, rss.stop(), Duration.ZERO, warm)));
            }
            return points;
        }
    }

    /** The real service: {@code mlc serve} processes on one store, connected to the simulated FreshBooks. */
    private List<Point> connector(String store, int instances, ConnectorConfig.Store storeConfig) {
        System.out.printf("ingest: connector, %s, %d instance(s)%n", store, instances);
        Path dir = workDir.resolve("connector-" + store.toLowerCase() + "-" + instances);
        DemoWorld.Options options = new DemoWorld.Options(dir, 42, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(500)).withStore(storeConfig);
        try (DemoWorld world = DemoWorld.forCluster(options, Clock.systemUTC());
             ConnectorCluster cluster = ConnectorCluster.start(haproxy, dir.resolve("cluster"), instances, world, Map.of())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(300); // invoices to name in the deliveries
            world.connectThroughBrowser(cluster.adminUrl());
            world.awaitWebhooksVerified(Duration.ofSeconds(60));
            SimBusiness business = freshBooks.businesses().get(0);
            ObjectNode callback = freshBooks.webhooks().list(business.accountId(), "invoice.update").stream()
                    .filter(c -> List.of("invoice", "invoice.update").contains(c.path("event").asString())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no invoice callback registered"));
            URI callbackUri = URI.create(callback.path("uri").asString());
            String verifier = freshBooks.webhooks().verifierOf(business.accountId(), callback.path("callbackid").asLong())
                    .orElseThrow();
            List<Long> invoiceIds = freshBooks.store().all(business.accountId(), Resource.INVOICES).stream()
                    .map(i -> i.path("id").asLong()).limit(200).toList();
            Path deliveries = SignedDeliveries.write(dir.resolve("deliveries.txt"), new SignedDeliveries.Callback(
                    callbackUri.getPath(), "invoice.update", business.accountId(), business.businessId(), verifier),
                    invoiceIds, 20_000);
            // One instance is reached directly (as the ceilings are); several through HAProxy, as FreshBooks would.
            URI base = instances == 1 && !Boolean.getBoolean("viaHaproxy") ? cluster.instances().get(0).baseUrl() : cluster.url();
            URI admin = cluster.adminUrl();
            List<Long> pids = cluster.instances().stream().map(ConnectorProcess::pid).toList();
            JitWarmUp.Warm warm = JitWarmUp.run(wrk, base, deliveries, 64, pids, warmUp, MOST_WARM_UP);
            drain(admin);
            List<Point> points = new ArrayList<>();
            for (int connections : CONNECTIONS) {
                long before = status(admin).path("eventsReceived").asLong();
                RssSampler rss = RssSampler.start(pids);
                Wrk.Result result = wrk.run(base, deliveries, connections, measure);
                long maxRss = rss.stop();
                long stored = status(admin).path("eventsReceived").asLong() - before;
                Duration drained = drain(admin);
                points.add(print(new Point("connector", store, instances, connections, result, stored, maxRss, drained, warm)));
            }
            if (instances == 1 && storeConfig == null) {
                startToFirstWebhook = restartUntilFirstWebhook(cluster.instances().get(0), new SignedDeliveries.Callback(
                        callbackUri.getPath(), "invoice.update", business.accountId(), business.businessId(), verifier),
                        invoiceIds.get(0));
                System.out.printf("  start to first webhook accepted: %d ms%n", startToFirstWebhook.toMillis());
            }
            return points;
        }
    }

    Duration startToFirstWebhook() {
        return startToFirstWebhook;
    }

    /** Stops the instance, starts it again and delivers one webhook every 20 ms until one is answered 204. */
    private static Duration restartUntilFirstWebhook(ConnectorProcess instance, SignedDeliveries.Callback callback,
                                                     long objectId) {
        instance.stop();
        Map<String, String> form = SignedDeliveries.form(callback, objectId);
        HttpRequest delivery = HttpRequest.newBuilder(instance.baseUrl().resolve(callback.path()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(io.mlconnector.freshbooks.WebhookSignature.HEADER,
                        io.mlconnector.freshbooks.WebhookSignature.sign(form, callback.verifier()))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(SignedDeliveries.body(form))).build();
        Instant started = Instant.now();
        java.util.concurrent.CompletableFuture<Duration> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            HttpClient http = HttpClient.newHttpClient();
            while (Duration.between(started, Instant.now()).toSeconds() < 120) {
                try {
                    if (http.send(delivery, HttpResponse.BodyHandlers.discarding()).statusCode() == 204) {
                        return Duration.between(started, Instant.now());
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                DemoWorld.pause(Duration.ofMillis(20));
            }
            throw new IllegalStateException("no webhook accepted within 120 s of starting " + instance.name());
        });
        instance.restart();
        return first.join();
    }

    /** Waits until the connector has fetched and pushed everything it took in; returns how long that took. */
    private static Duration drain(URI admin) {
        Instant start = Instant.now();
        Instant deadline = start.plus(Duration.ofMinutes(10));
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = status(admin);
            if (status.path("inboxPending").asLong() == 0 && status.path("outboxUnsent").asLong() == 0) {
                return Duration.between(start, Instant.now());
            }
            DemoWorld.pause(Duration.ofMillis(250));
        }
        throw new IllegalStateException("the connector did not catch up within 10 minutes: " + status(admin));
    }

    private static JsonNode status(URI admin) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(admin.resolve("/api/status"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Point print(Point p) {
        Wrk.Result r = p.wrk();
        System.out.printf("  %-22s %-10s x%d  c=%-3d %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d  stored %s  RSS %d MiB%n",
                p.target(), p.store(), p.instances(), p.connections(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(),
                r.non2xx(), p.stored() < 0 ? "-" : Long.toString(p.stored()), p.maxRssMiB());
        return p;
    }

    private static List<Long> ids(int n) {
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            ids.add(100_000 + i);
        }
        return ids;
    }

    /** The largest resident set of any of the processes while it runs. */
    static final class RssSampler {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final AtomicLong max = new AtomicLong();

        static RssSampler start(List<Long> pids) {
            RssSampler sampler = new RssSampler();
            sampler.timer.scheduleAtFixedRate(() -> pids.forEach(pid -> Bench.rssMiB(pid)
                    .ifPresent(rss -> sampler.max.accumulateAndGet(rss, Math::max))), 0, 500, TimeUnit.MILLISECONDS);
            return sampler;
        }

        long stop() {
            timer.shutdownNow();
            return max.get();
        }
    }
}
