package io.mlconnector.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmarks of issue 14 and writes {@code docs/benchmarks.md}: {@code bench/run [--seconds N]
 * [--postgres-instances 1,2,3] [--invoices 20000] [--out docs/benchmarks.md]}. Not part of {@code mvn verify}.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws IOException {
        Duration measure = Duration.ofSeconds(15);
        List<Integer> postgresInstances = List.of(1, 2, 3);
        Path out = Path.of("docs", "benchmarks.md");
        int invoices = 20_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> measure = Duration.ofSeconds(Integer.parseInt(args[++i]));
                case "--postgres-instances" -> postgresInstances = args[++i].isBlank() || args[i].equals("none") ? List.of()
                        : java.util.Arrays.stream(args[i].split(",")).map(Integer::parseInt).toList();
                case "--out" -> out = Path.of(args[++i]);
                case "--invoices" -> invoices = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench: unknown option " + args[i]
                            + " (options: --seconds N, --postgres-instances 1,2,3|none, --invoices N, --out FILE)");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory("mlc-bench");
        Wrk wrk = Wrk.find(work);
        Path haproxy = Bench.haproxy();
        Machine machine = Machine.describe(wrk);
        ZonedDateTime at = ZonedDateTime.now();

        IngestBench ingest = new IngestBench(work, wrk, haproxy, measure);
        List<IngestBench.Point> points = new ArrayList<>(ingest.run(postgresInstances));
        System.out.println("freshness: 1, 10 and 50 changes a second");
        List<FreshnessBench.Point> freshness = FreshnessBench.run(work.resolve("freshness"), List.of(1, 10, 50),
                measure.multipliedBy(2));
        System.out.printf("backfill: %d invoices%n", invoices);
        BackfillBench.Result backfill = BackfillBench.run(work.resolve("backfill"), invoices);
        System.out.println("naive baseline: one row per POST");
        NaiveBaseline.Result naive = NaiveBaseline.run(work.resolve("naive"), Duration.ofSeconds(60));
        System.out.println("coalescing: 100 webhooks for one invoice");
        CoalescingBench.Result coalescing = CoalescingBench.run(work.resolve("coalescing"));
        System.out.printf("  %s%n", coalescing);

        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Report.markdown(new Report.Results(machine, at, measure, points,
                ingest.startToFirstWebhook(), freshness, backfill, coalescing, naive)));
        System.out.println("wrote " + out);
        System.exit(0); // simulators' and Jetty's non-daemon threads
    }
}
