package io.mlconnector.bench;

import io.mlconnector.app.Operations;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.demo.HaProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/** Small things the benchmarks share: HAProxy, waiting for the connector to settle, a process's resident memory. */
final class Bench {
    private Bench() {}

    /** The {@code haproxy} executable, which {@code bench/run} installs; fails naming the package when it is missing. */
    static Path haproxy() {
        return HaProxy.find().orElseThrow(() -> new IllegalStateException(
                "haproxy not found: install Debian's package (apt-get install haproxy), as bench/run does"));
    }

    /** Resident set size of a process in MiB, from {@code /proc/PID/status} (Linux). */
    static OptionalLong rssMiB(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            return lines.stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D+", "")) / 1024).findFirst();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty(); // the process is gone
        }
    }

    /** Waits until nothing waits (no event to fetch, no row to push) for two seconds running. */
    static Duration settle(Operations operations) {
        Instant start = Instant.now();
        Instant quietSince = null;
        Instant deadline = start.plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            Operations.Status status = operations.status();
            boolean idle = status.inboxPending() == 0 && status.outboxUnsent() == 0;
            if (!idle) {
                quietSince = null;
            } else if (quietSince == null) {
                quietSince = Instant.now();
            } else if (Duration.between(quietSince, Instant.now()).toSeconds() >= 2) {
                return Duration.between(start, quietSince);
            }
            DemoWorld.pause(Duration.ofMillis(100));
        }
        throw new IllegalStateException("the connector did not settle within 5 minutes");
    }
}
