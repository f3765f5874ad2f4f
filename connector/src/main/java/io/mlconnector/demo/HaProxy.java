package io.mlconnector.demo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy (Debian's {@code haproxy} package) in front of connector instances, as a cluster runs behind a load
 * balancer (DESIGN §6): round robin over the instances whose {@code /health} answers 200, on a loopback port.
 * Requests without a cookie, such as FreshBooks' webhooks, reach any live instance; a browser gets a cookie that
 * keeps it on one instance, since the OAuth {@code state} lives in the memory of the instance that issued it.
 * A request whose connection an instance refuses (killed) is sent to another one.
 */
public final class HaProxy implements AutoCloseable {
    /** Where Debian installs it. */
    static final Path DEBIAN_BINARY = Path.of("/usr/sbin/haproxy");

    /** One backend server: a connector instance listening on a loopback port. */
    public record Backend(String name, int port) {}

    private final Process process;
    private final int port;
    private final Path log;
    /** Stops HAProxy if this JVM exits without {@link #close()}. */
    private final Thread reaper;

    private HaProxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.reaper = new Thread(process::destroyForcibly, "haproxy-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** The {@code haproxy} executable: Debian's, else the first on {@code PATH}; empty when it is not installed. */
    public static Optional<Path> find() {
        if (Files.isExecutable(DEBIAN_BINARY)) {
            return Optional.of(DEBIAN_BINARY);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return List.of(path.split(File.pathSeparator)).stream().map(dir -> Path.of(dir, "haproxy"))
                .filter(Files::isExecutable).findFirst();
    }

    /**
     * Writes {@code <workDir>/haproxy.cfg} and runs {@code haproxy -f haproxy.cfg -db} (in the foreground, as a
     * child of this JVM), returning once it accepts connections on {@code 127.0.0.1:port}.
     */
    public static HaProxy start(Path binary, Path workDir, int port, List<Backend> backends) {
        try {
            Files.createDirectories(workDir);
            Path config = workDir.resolve("haproxy.cfg");
            Files.writeString(config, config(port, backends), StandardCharsets.UTF_8);
            Path log = workDir.resolve("haproxy.log");
            Process process = new ProcessBuilder(binary.toString(), "-f", config.toString(), "-db")
                    .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            HaProxy haProxy = new HaProxy(process, port, log);
            try {
                haProxy.awaitListening(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                haProxy.close();
                throw e;
            }
            return haProxy;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + binary + ": " + e.getMessage(), e);
        }
    }

    /**
     * The configuration: health checks every second (an instance is out after two failures, back after one
     * success), short connect timeout and redispatch so a killed instance costs a retry rather than an error.
     */
    static String config(int port, List<Backend> backends) {
        StringBuilder cfg = new StringBuilder(String.join("\n",
                "global",
                "    maxconn 512",
                "",
                "defaults",
                "    mode http",
                "    timeout connect 1s",
                "    timeout client 60s",
                "    timeout server 60s",
                "    timeout check 2s",
                "    retries 3",
                "    option redispatch 1",
                "    option http-buffer-request",
                "",
                "frontend connectors",
                "    bind 127.0.0.1:" + port,
                "    default_backend connectors",
                "",
                "backend connectors",
                "    balance roundrobin",
                "    option httpchk GET /health",
                "    http-check expect status 200",
                "    cookie MLC_INSTANCE insert indirect nocache",
                ""));
        for (Backend backend : backends) {
            cfg.append("    server ").append(backend.name()).append(" 127.0.0.1:").append(backend.port())
                    .append(" check inter 1s fall 2 rise 1 cookie ").append(backend.name()).append('\n');
        }
        return cfg.toString();
    }

    public int port() {
        return port;
    }

    /** What clients (and {@code server.public-base-url}) use: {@code http://127.0.0.1:<port>}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return log;
    }

    /** Stops HAProxy (SIGTERM, then SIGKILL after five seconds). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the reaper runs anyway
        }
    }

    private void awaitListening(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited with status " + process.exitValue() + ": " + logText());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("haproxy does not listen on 127.0.0.1:" + port + " after "
                            + timeout.toSeconds() + " s: " + logText());
                }
            }
            DemoWorld.pause(Duration.ofMillis(50)); // a process starting; nothing to wait on but its port
        }
    }

    private String logText() {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }
}
