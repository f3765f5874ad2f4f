package io.mlconnector.demo;

import io.mlconnector.cli.JvmOptions;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code mlc serve} in its own JVM: {@link #kill9()} is SIGKILL (no shutdown hook, no flush), {@link #restart()}
 * starts a new process on the same configuration, store, keyset and port. Used by {@code mlc demo --instances}
 * and, through {@code testing.ChildConnector}, by the crash tests.
 * <p>
 * Each process writes its stdout and stderr to {@code <workDir>/<name>-<n>.log}. The child runs with this JVM's
 * classpath ({@code java.class.path}: the test classpath, or {@code mlc.jar}), so it runs exactly this code, and the
 * JVM flags the {@code mlc} launcher would give it ({@link JvmOptions}: {@code MLC_JAVA_OPTS}, else the defaults).
 */
public final class ConnectorProcess implements AutoCloseable {

    /** How long a start may take until {@code /health} answers 200 (a cold JVM on a busy 2-core box). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120); // a JVM starting on a busy 2-core machine

    private final Path workDir;
    private final String name;
    private final Path configFile;
    private final int port;
    private final int adminPort;
    private final Map<String, String> env;
    private final List<Path> logFiles = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile Process process;
    /** Kills the child if this JVM exits without {@link #close()} (a failed test, Ctrl-C), so no connector outlives it. */
    private final Thread reaper = new Thread(() -> {
        if (isAlive()) {
            process.destroyForcibly();
        }
    }, "connector-process-reaper");

    private ConnectorProcess(Path workDir, String name, Path configFile, int port, int adminPort, Map<String, String> env) {
        this.workDir = workDir;
        this.name = name;
        this.configFile = configFile;
        this.port = port;
        this.adminPort = adminPort;
        this.env = Map.copyOf(env);
    }

    /**
     * Writes {@code configYaml} to {@code <workDir>/ml-connector.yaml} and starts {@code mlc serve} with it, without
     * waiting: call {@link #awaitHealthy()} (several processes can start side by side).
     *
     * @param port the connector's public port; passed as {@code ML_CONNECTOR_SERVER_PORT}, which overrides the YAML's
     * @param env  extra {@code ML_CONNECTOR_*} variables, e.g. {@code ML_CONNECTOR_PIPELINE_SWEEP_INTERVAL=2s}; without
     *             {@code ML_CONNECTOR_ADMIN_PORT} the admin listener gets a port free now (kept across restarts)
     */
    public static ConnectorProcess launch(Path workDir, String name, String configYaml, int port, Map<String, String> env) {
        try {
            Files.createDirectories(workDir);
            Path config = workDir.resolve("ml-connector.yaml");
            Files.writeString(config, configYaml, StandardCharsets.UTF_8);
            Map<String, String> all = new HashMap<>(env);
            all.put("ML_CONNECTOR_SERVER_PORT", String.valueOf(port));
            all.putIfAbsent("ML_CONNECTOR_LOG_FORMAT", "text");
            all.putIfAbsent("ML_CONNECTOR_ADMIN_PORT", String.valueOf(DemoWorld.freePort()));
            int adminPort = Integer.parseInt(all.get("ML_CONNECTOR_ADMIN_PORT"));
            ConnectorProcess child = new ConnectorProcess(workDir, name, config, port, adminPort, all);
            Runtime.getRuntime().addShutdownHook(child.reaper);
            child.spawn();
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #launch} and {@link #awaitHealthy()}. */
    public static ConnectorProcess start(Path workDir, String name, String configYaml, int port, Map<String, String> env) {
        ConnectorProcess child = launch(workDir, name, configYaml, port, env);
        try {
            child.awaitHealthy();
            return child;
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** The public listener (webhooks, OAuth, {@code /health}). */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int adminPort() {
        return adminPort;
    }

    /** The admin listener (status API, metrics, connect links), on loopback. */
    public URI adminUrl() {
        return URI.create("http://127.0.0.1:" + adminPort);
    }

    /** The running process's id (a new one after each restart). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
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

    /** Starts a new process on the same configuration and store, and waits until it is healthy. */
    public void restart() {
        if (isAlive()) {
            throw new IllegalStateException("child " + process.pid() + " is still running; kill9() or stop() it first");
        }
        spawn();
        awaitHealthy();
    }

    /** Waits until {@code /health} answers 200; fails with the log's last lines if the process exits or is too slow. */
    public void awaitHealthy() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!healthy()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("connector " + name + " exited with status " + process.exitValue()
                        + "; last log lines:\n" + logTail(30));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("connector " + name + " did not answer /health at " + baseUrl()
                        + " within " + START_TIMEOUT.toSeconds() + " s; last log lines:\n" + logTail(30));
            }
            DemoWorld.pause(Duration.ofMillis(100)); // a JVM starting; nothing to wait on but its port
        }
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

    private void spawn() {
        Path log = workDir.resolve(name + "-" + (logFiles.size() + 1) + ".log");
        logFiles.add(log);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JvmOptions.forEnvironment(System.getenv())); // as the mlc launcher starts it
        command.addAll(List.of("-cp", absoluteClassPath(), "io.mlconnector.cli.Main", "serve", "--config", configFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + java + ": " + e.getMessage(), e);
        }
    }

    private boolean healthy() {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(baseUrl().resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for connector " + name, e);
        }
    }

    /** This JVM's classpath with absolute entries: the child runs in {@code workDir}. */
    public static String absoluteClassPath() {
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
