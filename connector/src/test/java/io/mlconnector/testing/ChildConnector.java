package io.mlconnector.testing;

import static org.awaitility.Awaitility.await;

import io.mlconnector.demo.DemoWorld;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code mlc serve} in its own JVM, for crash tests that need a real process: {@link #kill9()} is SIGKILL
 * (no shutdown hook, no flush), {@link #restart()} starts a new process on the same configuration, store,
 * keyset and port (FreshBooks' webhooks point at {@code server.public-base-url}, so the port must not move).
 * <p>
 * Each process writes its stdout and stderr to {@code <workDir>/<name>-<n>.log}. The child runs with this
 * JVM's classpath ({@code java.class.path}), so it sees exactly the classes under test.
 * <p>
 * Typical use: start a {@link DemoWorld} (simulators and an in-process connector), connect businesses and
 * register webhooks through it, {@link DemoWorld#stopConnector()}, then {@link #start(DemoWorld, Path, String, Map)}.
 */
public final class ChildConnector implements AutoCloseable {

    /** How long a start may take until {@code /health} answers 200 (a cold JVM on a busy 2-core box). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDir;
    private final String name;
    private final Path configFile;
    private final int port;
    private final Map<String, String> env;
    private final List<Path> logFiles = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    /** Kills the child if this JVM exits without {@link #close()} (a failed test, Ctrl-C), so no connector outlives it. */
    private final Thread reaper = new Thread(() -> {
        if (isAlive()) {
            process.destroyForcibly();
        }
    }, "child-connector-reaper");

    private ChildConnector(Path workDir, String name, Path configFile, int port, Map<String, String> env) {
        this.workDir = workDir;
        this.name = name;
        this.configFile = configFile;
        this.port = port;
        this.env = Map.copyOf(env);
    }

    /**
     * Writes {@code configYaml} to {@code <workDir>/ml-connector.yaml} and starts {@code mlc serve} with it,
     * returning once {@code /health} answers 200.
     *
     * @param port the connector's port; it must equal {@code server.port} in the YAML (it is also passed as
     *             {@code ML_CONNECTOR_SERVER_PORT}, so the YAML may leave it out)
     * @param env  extra {@code ML_CONNECTOR_*} variables, e.g. {@code ML_CONNECTOR_PIPELINE_SWEEP_INTERVAL=2s}
     */
    public static ChildConnector start(Path workDir, String name, String configYaml, int port, Map<String, String> env) {
        try {
            Files.createDirectories(workDir);
            Path config = workDir.resolve("ml-connector.yaml");
            Files.writeString(config, configYaml, StandardCharsets.UTF_8);
            Map<String, String> all = new HashMap<>(env);
            all.put("ML_CONNECTOR_SERVER_PORT", String.valueOf(port));
            all.putIfAbsent("ML_CONNECTOR_LOG_FORMAT", "text");
            ChildConnector child = new ChildConnector(workDir, name, config, port, all);
            Runtime.getRuntime().addShutdownHook(child.reaper);
            child.launch();
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A child running {@code world}'s connector configuration (its store, keyset, port and simulators). */
    public static ChildConnector start(DemoWorld world, Path workDir, String name, Map<String, String> env) {
        return start(workDir, name, world.configYaml(), world.config().server().port(), env);
    }

    public int port() {
        return port;
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The running process's id (a new one after each restart). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The log of the current (or last) process. */
    public Path logFile() {
        return logFiles.get(logFiles.size() - 1);
    }

    /** Every process's log, oldest first. */
    public List<Path> logFiles() {
        return List.copyOf(logFiles);
    }

    public Path configFile() {
        return configFile;
    }

    /**
     * SIGKILL, as a crash or the OOM killer would: nothing in the child runs afterwards. Returns once the
     * process is gone, and fails if it did not die of SIGKILL (exit status 128 + 9).
     */
    public void kill9() {
        ProcessHandle handle = process.toHandle();
        process.destroyForcibly(); // SIGKILL on Linux (ProcessImpl.destroy(true))
        int status = waitFor(process, Duration.ofSeconds(30));
        if (status != 137 || handle.isAlive()) {
            throw new IllegalStateException("child " + handle.pid() + " did not die of SIGKILL: exit status " + status);
        }
    }

    /** SIGTERM: the shutdown hook closes the connector in order. Returns the exit status. */
    public int stop() {
        if (!isAlive()) {
            return process.exitValue();
        }
        process.destroy();
        return waitFor(process, Duration.ofSeconds(30));
    }

    /** Starts a new process on the same configuration and store; the previous one must be gone. */
    public void restart() {
        if (isAlive()) {
            throw new IllegalStateException("child " + process.pid() + " is still running; kill9() or stop() it first");
        }
        launch();
    }

    /** The last {@code lines} lines of the current log (for failure messages). */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (isAlive()) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(30));
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the reaper runs anyway
        }
    }

    private void launch() {
        Path log = workDir.resolve(name + "-" + (logFiles.size() + 1) + ".log");
        logFiles.add(log);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", absoluteClassPath(),
                "io.mlconnector.cli.Main", "serve", "--config", configFile.toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + java + ": " + e.getMessage(), e);
        }
        try {
            await("connector " + name + " /health at " + baseUrl()).atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100)).until(this::healthy);
        } catch (RuntimeException e) {
            throw new IllegalStateException("child connector did not become healthy; last log lines:\n" + logTail(30), e);
        }
    }

    private boolean healthy() {
        if (!process.isAlive()) {
            throw new IllegalStateException("child connector exited with status " + process.exitValue());
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(baseUrl().resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** This JVM's classpath with absolute entries: the child runs in {@code workDir}. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int waitFor(Process process, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("child " + process.pid() + " still running after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
