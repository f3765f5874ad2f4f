package io.mlconnector.bench;

import io.mlconnector.demo.DemoPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Only the connector's rows of {@link IngestBench} (webhooks/s, p99, max RSS at 16 and 64 connections), for working
 * on one figure without the whole run: {@code java -cp ... io.mlconnector.bench.IngestConnector [--seconds N]
 * [--postgres-instances N]} (default: H2, one instance, with its start to first webhook). Writes nothing;
 * {@code bench/run} remains the one that writes {@code docs/benchmarks.md}.
 */
public final class IngestConnector {
    private IngestConnector() {}

    public static void main(String[] args) throws IOException {
        Duration measure = Duration.ofSeconds(15);
        int postgresInstances = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> measure = Duration.ofSeconds(Integer.parseInt(args[++i]));
                case "--postgres-instances" -> postgresInstances = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("ingest-connector: unknown option " + args[i]
                            + " (options: --seconds N, --postgres-instances N)");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory("mlc-bench-ingest");
        Path haproxy = Bench.haproxy();
        IngestBench ingest = new IngestBench(work, Wrk.find(work), haproxy, measure);
        if (postgresInstances == 0) {
            ingest.connectorOnH2();
        } else {
            try (DemoPostgres postgres = DemoPostgres.start(work.resolve("pg-db"))) {
                ingest.connectorOn(postgres.store(), postgresInstances);
            }
        }
        System.exit(0); // simulators' and Jetty's non-daemon threads
    }
}
