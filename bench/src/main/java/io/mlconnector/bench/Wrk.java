package io.mlconnector.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator: Debian's {@code wrk}, driven by a Lua script that cycles through pre-signed FreshBooks
 * deliveries ({@link SignedDeliveries}); wrk cannot compute an HMAC itself, so every request is signed beforehand.
 */
final class Wrk {

    /** What one wrk run measured. Latencies in milliseconds; {@code non2xx} counts answers other than 2xx/3xx. */
    record Result(long requests, double seconds, double requestsPerSecond, double p50Millis, double p99Millis,
                  double maxMillis, long non2xx, long socketErrors) {
        long succeeded() {
            return requests - non2xx;
        }
    }

    private static final String SCRIPT = """
            -- Cycles through pre-signed FreshBooks deliveries: one per line, "path<TAB>body<TAB>signature".
            local requests = {}
            local next = 0
            init = function(args)
              for line in io.lines(args[1]) do
                local path, body, signature = line:match("([^\\t]+)\\t([^\\t]+)\\t([^\\t]+)")
                requests[#requests + 1] = wrk.format("POST", path, {
                  ["Content-Type"] = "application/x-www-form-urlencoded",
                  ["X-FreshBooks-Hmac-SHA256"] = signature }, body)
              end
              next = math.random(#requests)
            end
            request = function()
              next = next % #requests + 1
              return requests[next]
            end
            """;

    private final Path binary;
    private final Path workDir;

    Wrk(Path binary, Path workDir) {
        this.binary = binary;
        this.workDir = workDir;
    }

    /** wrk on the PATH or in /usr/bin; bench/run installs Debian's package when it is missing. */
    static Wrk find(Path workDir) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "wrk");
            if (Files.isExecutable(candidate)) {
                return new Wrk(candidate, workDir);
            }
        }
        throw new IllegalStateException("wrk not found: install Debian's package (apt-get install wrk), as bench/run does");
    }

    String version() {
        try {
            Process p = new ProcessBuilder(binary.toString(), "-v").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("wrk").replaceAll("\\s+\\[.*", "").strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs wrk with {@code connections} connections on 2 threads for {@code duration} against {@code base}. */
    Result run(URI base, Path deliveries, int connections, Duration duration) {
        try {
            Path script = workDir.resolve("deliveries.lua");
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(binary.toString(), "-t", "2", "-c", Integer.toString(connections),
                    "-d", duration.toSeconds() + "s", "--timeout", "10s", "--latency", "-s", script.toString(),
                    base.toString(), "--", deliveries.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("wrk failed: " + out.strip());
            }
            return parse(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h),");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern LATENCY = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+(\\S+)\\s");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /** Reads wrk's report (with {@code --latency}). */
    static Result parse(String out) {
        Matcher total = find(TOTAL, out);
        Matcher rate = find(RATE, out);
        Matcher latency = find(LATENCY, out);
        Matcher non2xx = NON_2XX.matcher(out);
        Matcher socket = SOCKET_ERRORS.matcher(out);
        long socketErrors = 0;
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(socket.group(g));
            }
        }
        return new Result(Long.parseLong(total.group(1)), millis(total.group(2) + total.group(3)) / 1000.0,
                Double.parseDouble(rate.group(1)), percentile(out, "50%"), percentile(out, "99%"),
                millis(latency.group(1)), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors);
    }

    private static double percentile(String out, String label) {
        return millis(find(Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+(\\S+)", Pattern.MULTILINE), out).group(1));
    }

    /** wrk's durations: {@code 812.00us}, {@code 1.25ms}, {@code 2.01s}, {@code 1.50m}. */
    static double millis(String value) {
        Matcher m = Pattern.compile("([\\d.]+)(us|ms|s|m|h)").matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a wrk duration: " + value);
        }
        double n = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> n / 1000.0;
            case "ms" -> n;
            case "s" -> n * 1000.0;
            case "m" -> n * 60_000.0;
            default -> n * 3_600_000.0;
        };
    }

    private static Matcher find(Pattern pattern, String out) {
        Matcher m = pattern.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk's report lacks " + pattern + ":\n" + out);
        }
        return m;
    }
}
