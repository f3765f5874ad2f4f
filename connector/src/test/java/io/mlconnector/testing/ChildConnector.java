package io.mlconnector.testing;

import io.mlconnector.demo.ConnectorProcess;
import io.mlconnector.demo.DemoWorld;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code mlc serve} in its own JVM, for crash tests that need a real process: {@link #kill9()} is SIGKILL
 * (no shutdown hook, no flush), {@link #restart()} starts a new process on the same configuration, store,
 * keyset and port (FreshBooks' webhooks point at {@code server.public-base-url}, so the port must not move).
 * A test's view of {@link ConnectorProcess}, which {@code mlc demo --instances} and {@code ConnectorCluster} use too.
 * <p>
 * Each process writes its stdout and stderr to {@code <workDir>/<name>-<n>.log}. The child runs with this
 * JVM's classpath ({@code java.class.path}), so it sees exactly the classes under test.
 * <p>
 * Typical use: start a {@link DemoWorld} (simulators and an in-process connector), connect businesses and
 * register webhooks through it, {@link DemoWorld#stopConnector()}, then {@link #start(DemoWorld, Path, String, Map)}.
 */
public final class ChildConnector implements AutoCloseable {

    /** How long a start may take until {@code /health} answers 200 (a cold JVM on a busy 2-core box). */
    public static final Duration START_TIMEOUT = ConnectorProcess.START_TIMEOUT;

    private final ConnectorProcess process;

    private ChildConnector(ConnectorProcess process) {
        this.process = process;
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
        return new ChildConnector(ConnectorProcess.start(workDir, name, configYaml, port, env));
    }

    /** A child running {@code world}'s connector configuration (its store, keyset, port and simulators). */
    public static ChildConnector start(DemoWorld world, Path workDir, String name, Map<String, String> env) {
        return start(workDir, name, world.configYaml(), world.config().server().port(), env);
    }

    /** The process behind this child. */
    public ConnectorProcess process() {
        return process;
    }

    public int port() {
        return process.port();
    }

    /** The public listener (webhooks, OAuth, {@code /health}). */
    public URI baseUrl() {
        return process.baseUrl();
    }

    /** The admin listener (status API, metrics, connect links). */
    public URI adminUrl() {
        return process.adminUrl();
    }

    /** The running process's id (a new one after each restart). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The log of the current (or last) process. */
    public Path logFile() {
        return process.logFile();
    }

    /** Every process's log, oldest first. */
    public List<Path> logFiles() {
        return process.logFiles();
    }

    public Path configFile() {
        return process.configFile();
    }

    /**
     * SIGKILL, as a crash or the OOM killer would: nothing in the child runs afterwards. Returns once the
     * process is gone, and fails if it did not die of SIGKILL (exit status 128 + 9).
     */
    public void kill9() {
        process.kill9();
    }

    /** SIGTERM: the shutdown hook closes the connector in order. Returns the exit status. */
    public int stop() {
        return process.stop();
    }

    /** Starts a new process on the same configuration and store; the previous one must be gone. */
    public void restart() {
        process.restart();
    }

    /** The last {@code lines} lines of the current log (for failure messages). */
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /** The child's threads as {@code jcmd Thread.print} shows them (for failure messages: where is it stuck?). */
    public String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid()), "Thread.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            return out;
        } catch (java.io.IOException e) {
            return "no thread dump: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted";
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        process.close();
    }
}
