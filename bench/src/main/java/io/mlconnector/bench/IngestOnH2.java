package io.mlconnector.bench;

import io.mlconnector.demo.HaProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Only the connector on H2 from {@link IngestBench} (webhooks/s, p99, max RSS at 16 and 64 connections, start to
 * first webhook), for working on one figure without the whole run: {@code java -cp ... io.mlconnector.bench.IngestOnH2
 * [--seconds N]}. Writes nothing; {@code bench/run} remains the one that writes {@code docs/benchmarks.md}.
 */
public final class IngestOnH2 {
    private IngestOnH2() {}

    public static void main(String[] args) throws IOException {
        Duration measure = Duration.ofSeconds(15);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                measure = Duration.ofSeconds(Integer.parseInt(args[++i]));
            } else {
                System.err.println("ingest-on-h2: unknown option " + args[i] + " (options: --seconds N)");
                System.exit(2);
            }
        }
        Path work = Files.createTempDirectory("mlc-bench-h2");
        Path haproxy = HaProxy.find().orElseThrow(() -> new IllegalStateException(
                "haproxy not found: install Debian's package (apt-get install haproxy), as bench/run does"));
        IngestBench ingest = new IngestBench(work, Wrk.find(work), haproxy, measure);
        ingest.connectorOnH2();
        System.exit(0); // simulators' and Jetty's non-daemon threads
    }
}
