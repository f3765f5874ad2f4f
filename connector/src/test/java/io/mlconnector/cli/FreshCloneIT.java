package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 11, "from a fresh clone": {@code mlc sim} and {@code mlc serve} in their own JVMs, the second on the
 * configuration the first wrote, nothing edited by hand. A business is connected the way a person does it (the link
 * of {@code mlc connect freshbooks}, followed by a browser that keeps cookies; the simulator approves), and rows
 * reach the Power BI simulator: the backfill's, then the live activity's through webhooks.
 */
class FreshCloneIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration SLOW = Duration.ofMinutes(3); // cold JVMs on a busy 2-core box

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process child : reversed(children)) { // serve before the simulators it talks to
            child.destroy(); // SIGTERM: the shutdown hooks close the connector and the simulators
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void simThenServeWithTheWrittenConfigurationConnectsABusinessAndStreamsRows() throws Exception {
        int connectorPort = freePort();
        Path config = dir.resolve("ml-connector.sim.yaml");
        Path simLog = spawn(dir.resolve("sim"), "sim.log", Map.of(), "sim", "--port", "0", "--write-config", config.toString(),
                "--connector-url", "http://127.0.0.1:" + connectorPort, "--history", "60", "--activity");
        await("mlc sim's start").atMost(SLOW).pollInterval(Duration.ofMillis(200))
                .until(() -> read(simLog).contains("History: 60 bookkeeping steps done"));
        String simOut = read(simLog);
        assertThat(simOut).contains("written to " + config);
        URI powerBi = URI.create(valueOf(simOut, "power-bi"));

        // The admin port is the one thing given outside the file: 8081 may be taken on a shared test machine.
        int adminPort = freePort();
        Path serveLog = spawn(dir.resolve("serve"), "serve.log", Map.of("ML_CONNECTOR_ADMIN_PORT", String.valueOf(adminPort)),
                "serve", "--config", config.toString());
        URI admin = URI.create("http://127.0.0.1:" + adminPort);
        await("mlc serve's start").atMost(SLOW).pollInterval(Duration.ofMillis(200))
                .until(() -> read(serveLog).contains("Connect a business: mlc connect freshbooks --config " + config));
        await("health").atMost(SLOW).until(() -> status(URI.create("http://127.0.0.1:" + connectorPort + "/health")) == 200);

        URI link = connectLink(admin);
        HttpResponse<String> page = browser().send(HttpRequest.newBuilder(link).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("Connected:");

        await("backfilled rows in Power BI").atMost(SLOW).pollInterval(Duration.ofSeconds(1))
                .until(() -> rowsInPowerBi(powerBi) > 0);
        await("the backfill's progress in serve's log").atMost(SLOW).pollInterval(Duration.ofSeconds(1))
                .until(() -> read(serveLog).contains(" done: ") && read(serveLog).contains("records fetched"));
        long afterBackfill = rowsInPowerBi(powerBi);
        await("webhook events received and more rows").atMost(SLOW).pollInterval(Duration.ofSeconds(1))
                .until(() -> json(admin.resolve("/api/status")).path("eventsReceived").asLong() > 0
                        && rowsInPowerBi(powerBi) > afterBackfill);
        assertThat(read(serveLog)).doesNotContain("\tat ").doesNotContain("ERROR");
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<Process> reversed(List<Process> list) {
        List<Process> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /** What {@code mlc connect freshbooks --url ADMIN} prints first: the one-time link. */
    private static URI connectLink(URI admin) {
        StringWriter out = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).execute("connect", "freshbooks", "--url", admin.toString());
        assertThat(exit).as(out.toString()).isZero();
        return URI.create(out.toString().lines().findFirst().orElseThrow().trim());
    }

    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Every row in every dataset the Power BI simulator holds (its inspector API). */
    private long rowsInPowerBi(URI powerBi) throws Exception {
        long rows = 0;
        for (JsonNode dataset : json(powerBi.resolve("/sim/datasets"))) {
            for (JsonNode table : dataset.path("tables")) {
                rows += table.path("rowCount").asLong();
            }
        }
        return rows;
    }

    private JsonNode json(URI uri) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(uri + ": " + answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A printed "name   value" line's value. */
    private static String valueOf(String output, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\S+)").matcher(output);
        assertThat(m.find()).as(name + " in:\n" + output).isTrue();
        return m.group(1);
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** {@code mlc ARGS} in its own JVM (this JVM's classpath) in {@code workDir}, stdout and stderr to {@code log}. */
    private Path spawn(Path workDir, String logName, Map<String, String> env, String... args) throws IOException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(logName);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JvmOptions.forEnvironment(System.getenv())); // as the mlc launcher would
        command.addAll(List.of("-cp", absoluteClassPath(), "io.mlconnector.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("ML_CONNECTOR_"));
        builder.environment().putAll(env);
        children.add(builder.start());
        return log;
    }

    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
