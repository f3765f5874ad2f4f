package io.mlconnector.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * Loads a server until its JVMs have compiled what the load runs, so that what is measured next is the steady state a
 * long-running service is in, not its JIT compiler: right after start-up, C2 compiling the request path took more CPU
 * than the requests themselves (JFR: compiler threads ahead of Jetty's, 4,000 compilations in the 12 s after a
 * 10 s warm-up), and each further instance on the same 2 cores adds its own compiling.
 */
final class JitWarmUp {
    /** Fewer methods compiled than this in one burst, in every JVM: warm. */
    static final long SETTLED_COMPILATIONS = 150;
    static final Duration BURST = Duration.ofSeconds(5);

    private JitWarmUp() {}

    /** How long the warm-up took, and whether the JIT had settled by its end. */
    record Warm(Duration took, boolean settled) {
        /** For the report: "35 s", or "120 s, JIT still compiling". */
        String describe() {
            return took.toSeconds() + " s" + (settled ? "" : ", JIT still compiling");
        }
    }

    /**
     * Bursts of load until every JVM of {@code pids} compiled fewer than {@link #SETTLED_COMPILATIONS} methods in one,
     * at least {@code least}, at most {@code most}.
     */
    static Warm run(Wrk wrk, URI base, Path deliveries, int connections, List<Long> pids, Duration least,
                        Duration most) {
        long started = System.nanoTime();
        long[] before = compiled(pids);
        while (true) {
            wrk.run(base, deliveries, connections, BURST);
            long[] after = compiled(pids);
            Duration spent = Duration.ofNanos(System.nanoTime() - started);
            boolean settled = true;
            for (int i = 0; i < pids.size(); i++) {
                settled &= before[i] >= 0 && after[i] - before[i] < SETTLED_COMPILATIONS;
            }
            if ((settled && spent.compareTo(least) >= 0) || spent.compareTo(most) >= 0) {
                Warm warm = new Warm(spent, settled);
                System.out.printf("  warm-up: %s%n", warm.describe());
                return warm;
            }
            before = after;
        }
    }

    /** Methods each JVM has compiled so far ({@code jstat -compiler}); -1 where it cannot be read. */
    private static long[] compiled(List<Long> pids) {
        long[] counts = new long[pids.size()];
        for (int i = 0; i < pids.size(); i++) {
            counts[i] = compiled(pids.get(i)).orElse(-1);
        }
        return counts;
    }

    static OptionalLong compiled(long pid) {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        try {
            Process p = new ProcessBuilder(jstat.toString(), "-compiler", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return parseCompiled(out);
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** The first column of jstat's second line ("Compiled Failed Invalid Time ..."). */
    static OptionalLong parseCompiled(String jstatOutput) {
        List<String> lines = jstatOutput.lines().toList();
        if (lines.size() < 2 || !lines.get(0).strip().startsWith("Compiled")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(lines.get(1).strip().split("\\s+")[0]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
