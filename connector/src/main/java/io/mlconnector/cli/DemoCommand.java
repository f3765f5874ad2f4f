package io.mlconnector.cli;

import io.mlconnector.demo.DemoRun;
import io.mlconnector.demo.DemoWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The whole flow on one machine: simulators, connector, three businesses, one shared dataset. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the simulators and the connector, connect three simulated businesses, backfill, "
                + "then stream live changes into one Power BI dataset (Ctrl-C or --duration to stop).")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", description = "Stop after this long, e.g. 60s or 5m (default: until Ctrl-C).")
    String duration;

    @Option(names = "--data", defaultValue = "./data/demo", description = "Folder for the demo's database and keyset; emptied at start (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulated businesses (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--history", defaultValue = "400", description = "Bookkeeping steps before connecting, for the backfill (default ${DEFAULT-VALUE}).")
    int history;

    @Override
    public Integer call() throws Exception {
        Duration limit = duration == null ? null : parseDuration(duration);
        emptyFolder(data);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        DemoWorld.Options options = DemoWorld.Options.defaults(data);
        options = new DemoWorld.Options(data, seed, options.simulatorPort(), options.powerBiTokenLifetime(),
                options.freshBooksAccessTokenSeconds(), options.coalesceWindow());
        // Ctrl-C: tell the run to stop, then give it time to close the connector and simulators cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            new DemoRun(world, System.out, Clock.systemUTC()).run(history, limit, stop);
        } finally {
            System.out.println("Demo stopped.");
            stopped.countDown();
        }
        return 0;
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("--duration: use e.g. 30s, 5m or 1h, not " + text);
        };
    }

    private static void emptyFolder(Path folder) throws IOException {
        if (Files.exists(folder)) {
            try (Stream<Path> paths = Files.walk(folder)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(folder);
    }
}
