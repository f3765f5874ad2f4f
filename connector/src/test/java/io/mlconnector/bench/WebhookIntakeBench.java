package io.mlconnector.bench;

import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.web.WebhookTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fires N signed webhooks from several threads at the real intake (H2 file, group commit, loopback HTTP) and
 * prints throughput and latency percentiles. Run by hand, not by mvn verify:
 * {@code java -cp <test classpath> io.mlconnector.bench.WebhookIntakeBench [requests] [threads]}.
 */
public final class WebhookIntakeBench {

    private static final String VERIFIER = "scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd";

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path dir = Files.createTempDirectory("mlc-bench");
        try (WebhookTestServer server = new WebhookTestServer(dir)) {
            String token = server.verifiedCallback("ACM123", 1, VERIFIER);
            run(server, token, Math.min(2_000, requests), threads, "warm-up");
            long before = server.inboxCount();
            Result result = run(server, token, requests, threads, "measured");
            System.out.printf("stored rows: %d (expected %d)%n", server.inboxCount() - before, requests);
            System.out.printf("%s%n", result);
            var batches = server.meters.get("inbox_group_commit_batch_size").summary();
            var commits = server.meters.get("inbox_group_commit_seconds").timer();
            System.out.printf("group commits: %d, mean batch %.1f events, max batch %.0f, mean commit+fsync %.2f ms%n",
                    batches.count(), batches.mean(), batches.max(),
                    commits.mean(java.util.concurrent.TimeUnit.MICROSECONDS) / 1000.0);
        }
    }

    record Result(int requests, int threads, int failures, double seconds, long[] sortedMicros) {
        long percentile(double p) {
            return sortedMicros[(int) Math.min(sortedMicros.length - 1, Math.ceil(p * sortedMicros.length) - 1)];
        }

        @Override
        public String toString() {
            return String.format("%d requests, %d threads: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, failures %d",
                    requests, threads, requests / seconds, percentile(0.50) / 1000.0, percentile(0.99) / 1000.0,
                    sortedMicros[sortedMicros.length - 1] / 1000.0, failures);
        }
    }

    private static Result run(WebhookTestServer server, String token, int requests, int threads, String label) throws Exception {
        String[] bodies = new String[requests];
        String[] signatures = new String[requests];
        for (int i = 0; i < requests; i++) {
            bodies[i] = "name=invoice.update&object_id=" + (i + 1) + "&account_id=ACM123&business_id=439000&identity_id=1&user_id=1";
            signatures[i] = WebhookSignature.sign(WebhookSignature.parseForm(bodies[i]), VERIFIER);
        }
        long[] micros = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    long sent = System.nanoTime();
                    int status = server.post(token, bodies[i], signatures[i]).statusCode();
                    micros[i] = (System.nanoTime() - sent) / 1000;
                    if (status != 204) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.sort(micros);
        Result result = new Result(requests, threads, failures.get(), seconds, micros);
        System.out.printf("[%s] %s%n", label, result);
        return result;
    }
}
