package io.mlconnector.cli;

import io.mlconnector.demo.ConnectorCluster;
import io.mlconnector.demo.DemoFolder;
import io.mlconnector.demo.DemoPostgres;
import io.mlconnector.demo.DemoRun;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.demo.HaProxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The whole flow on one machine: simulators, connector, three businesses, one shared dataset. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the simulators and the connector, connect three simulated businesses, backfill, "
                + "then stream live changes into one Power BI dataset (Ctrl-C or --duration to stop). "
                + "With --instances N: N connector processes on one PostgreSQL behind HAProxy.")
public final class DemoCommand implements Callable<Integer> {
    /** Each instance is a JVM of up to 256 MB; more than a handful only slows a laptop down. */
    static final int MAX_INSTANCES = 5;

    @Option(names = "--duration", converter = Converters.PositiveDuration.class,
            description = "Stop after this long, e.g. 60s, 5m or 1h (default: until Ctrl-C).")
    Duration duration;

    @Option(names = "--data", defaultValue = "./data/demo", description = "Folder for the demo's database and keyset: created if missing, emptied at start only if an earlier "
            + "demo created it (it holds a " + DemoFolder.MARKER + " file); any other non-empty folder is refused (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulated businesses (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--history", defaultValue = "400", description = "Bookkeeping steps before connecting, for the backfill (default ${DEFAULT-VALUE}).")
    int history;

    @Option(names = "--instances", defaultValue = "1", description = "Connector processes: 1 runs one in this process on H2; "
            + "2 or more run that many `mlc serve` processes on an embedded PostgreSQL behind HAProxy (default ${DEFAULT-VALUE}).")
    int instances;

    @Override
    public Integer call() throws Exception {
        Duration limit = duration;
        if (history < 0) {
            throw new CommandFailure("--history: use 0 (no history) or more bookkeeping steps, not " + history);
        }
        if (instances < 1 || instances > MAX_INSTANCES) {
            throw new CommandFailure("--instances: use 1 to " + MAX_INSTANCES + ", not " + instances);
        }
        Path haproxy = instances == 1 ? null : HaProxy.find().orElseThrow(() -> new CommandFailure(
                "--instances " + instances + " runs the connectors behind HAProxy, which is not installed: apt-get install haproxy"));
        try {
            DemoFolder.prepare(data);
        } catch (DemoFolder.Refused e) {
            throw new CommandFailure(e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        DemoWorld.Options options = DemoWorld.Options.defaults(data);
        options = new DemoWorld.Options(data, seed, options.simulatorPort(), options.powerBiTokenLifetime(),
                options.freshBooksAccessTokenSeconds(), options.coalesceWindow());
        // Ctrl-C: tell the run to stop, then give it time to close the connectors and simulators cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            if (instances == 1) {
                try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
                    new DemoRun(world, System.out, Clock.systemUTC()).run(history, limit, stop);
                }
            } else {
                runCluster(haproxy, options, limit, stop);
            }
        } finally {
            System.out.println("Demo stopped.");
            stopped.countDown();
        }
        return 0;
    }

    /** The same demo with {@code instances} connector processes on one PostgreSQL behind HAProxy. */
    private void runCluster(Path haproxy, DemoWorld.Options options, Duration limit, CountDownLatch stop)
            throws InterruptedException {
        System.out.println("Starting an embedded PostgreSQL and " + instances + " connector processes behind HAProxy...");
        try (DemoPostgres postgres = DemoPostgres.start(data.resolve("postgres"));
             DemoWorld world = DemoWorld.forCluster(options.withStore(postgres.store()), Clock.systemUTC());
             ConnectorCluster cluster = ConnectorCluster.start(haproxy, data.resolve("cluster"), instances, world,
                     Map.of("ML_CONNECTOR_CLUSTER_LEASE_DURATION", "10s"))) {
            new DemoRun(world, System.out, Clock.systemUTC()).runCluster(cluster, history, limit, stop);
        }
    }
}
