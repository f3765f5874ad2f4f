package io.mlconnector.cli;

import io.mlconnector.config.ConfigKeys;
import io.mlconnector.config.ConfigTemplate;
import io.mlconnector.sim.Simulators;
import io.mlconnector.sim.common.Loopback;
import io.mlconnector.sim.freshbooks.FreshBooksConfig;
import io.mlconnector.sim.freshbooks.OAuthApp;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the FreshBooks, Entra ID and Power BI simulators until stopped, and writes the {@code ml-connector.yaml} that
 * points {@code mlc serve} at them: with it, {@code mlc serve --config} and {@code mlc connect freshbooks} work
 * without editing anything.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Run the FreshBooks, Entra ID and Power BI simulators until stopped (Ctrl-C), and write a ready"
                + " configuration for `mlc serve` against them.",
                "Then: mlc serve --config ml-connector.sim.yaml; mlc connect freshbooks --config ml-connector.sim.yaml,"
                        + " and open the link (the simulator approves as the demo owner)."})
public final class SimCommand implements Callable<Integer> {

    static final String CALLBACK_PATH = "/oauth/freshbooks/callback";
    /** How the demo makes the businesses live: two bookkeeping steps every half second. */
    static final Duration ACTIVITY_INTERVAL = Duration.ofMillis(500);
    static final int ACTIVITY_STEPS = 2;

    @Option(names = "--port", defaultValue = "8440", converter = Converters.Port.class, description = "First port; the simulators take consecutive ports, 0 = any free ports (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind-host", defaultValue = Loopback.HOST, description = "Address to listen on; the simulators "
            + "approve OAuth and hand out tokens to anyone, so keep loopback unless others must reach them, e.g. 0.0.0.0 "
            + "(default ${DEFAULT-VALUE}).")
    String bindHost;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for generated data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cert-file", defaultValue = "data/sim/entra-localhost.pem",
            description = "Where to write the Entra simulator's TLS certificate (PEM), which the written configuration"
                    + " trusts as powerbi.trusted-certificate-pem (default ${DEFAULT-VALUE}).")
    Path certFile;

    @Option(names = "--write-config", defaultValue = "ml-connector.sim.yaml",
            description = "Where to write the configuration for `mlc serve` against these simulators, rewritten at each"
                    + " start; an empty value prints it only (default ${DEFAULT-VALUE}).")
    String writeConfig;

    @Option(names = "--connector-url", defaultValue = "http://127.0.0.1:8080", converter = Converters.HttpUrl.class,
            description = "The connector's public URL, written as server.public-base-url; on loopback its port is"
                    + " written as server.port (default ${DEFAULT-VALUE}, serve's default port).")
    URI connectorUrl;

    @Option(names = "--redirect-uri", converter = Converters.HttpUrl.class,
            description = "An OAuth redirect URI the simulated FreshBooks app accepts, written as freshbooks.redirect-uri"
                    + " (default: --connector-url + " + CALLBACK_PATH + ").")
    URI redirectUri;

    @Option(names = "--store-dir", defaultValue = "data/sim-connector",
            description = "Folder the written configuration gives the connector for its H2 store and keyset (default ${DEFAULT-VALUE}).")
    Path storeDir;

    @Option(names = "--history", defaultValue = "200",
            description = "Bookkeeping steps done in the simulated businesses at start, for a backfill to read (default ${DEFAULT-VALUE}).")
    int history;

    @Option(names = "--activity", description = "Keep the simulated businesses busy (" + ACTIVITY_STEPS
            + " bookkeeping steps every 500 ms, as in the demo), so webhooks flow once a business is connected.")
    boolean activity;

    @Override
    public Integer call() throws Exception {
        if (history < 0) {
            throw new CommandFailure("--history: use 0 (no history) or more bookkeeping steps, not " + history);
        }
        URI redirect = redirectUri != null ? redirectUri : URI.create(stripSlash(connectorUrl.toString()) + CALLBACK_PATH);
        Simulators simulators = Simulators.start(bindHost, port, Simulators.Options.defaults(seed), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulators.close();
            stopped.countDown();
        }, "sim-shutdown"));
        List<String> accepted = acceptRedirect(simulators, redirect);
        Path pem = writeCertificate(simulators, certFile);
        Map<String, String> values = configValues(simulators, pem, connectorUrl, redirect, storeDir.toAbsolutePath());
        Path written = writeConfig.isBlank() ? null : writeConfig(Path.of(writeConfig), values);
        simulators.freshBooks().generator().step(history);
        if (activity) {
            simulators.freshBooks().generator().startTimer(ACTIVITY_INTERVAL, ACTIVITY_STEPS);
        }
        describe(simulators, values, accepted, written).forEach(System.out::println);
        System.out.println("History: " + history + " bookkeeping steps done; activity: "
                + (activity ? ACTIVITY_STEPS + " steps every " + ACTIVITY_INTERVAL.toMillis() + " ms" : "off (--activity turns it on)") + ".");
        System.out.flush();
        stopped.await();
        return 0;
    }

    static Path writeCertificate(Simulators simulators, Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Files.writeString(absolute, simulators.entra().certificatePem(), StandardCharsets.US_ASCII);
        return absolute;
    }

    /**
     * Lets the demo FreshBooks app accept {@code redirect} besides its defaults (a connector elsewhere than port
     * 8080); returns every redirect URI it accepts.
     */
    static List<String> acceptRedirect(Simulators simulators, URI redirect) {
        Set<String> uris = new LinkedHashSet<>(FreshBooksConfig.DEMO_REDIRECT_URIS);
        uris.add(redirect.toString());
        OAuthApp app = simulators.freshBooks().demoApp();
        simulators.freshBooks().registerApp(new OAuthApp(app.clientId(), app.clientSecret(), List.copyOf(uris), app.scopes()));
        return List.copyOf(uris);
    }

    /** The configuration keys that point a connector at these simulators, in the reference's order. */
    static Map<String, String> configValues(Simulators simulators, Path pem, URI connectorUrl, URI redirect, Path storeDir) {
        Map<String, String> values = new LinkedHashMap<>();
        if (isLoopback(connectorUrl.getHost()) && connectorUrl.getPort() > 0) {
            values.put("server.port", String.valueOf(connectorUrl.getPort()));
        }
        values.put("server.public-base-url", stripSlash(connectorUrl.toString()));
        values.put("store.jdbc-url", ConfigKeys.DEFAULT_JDBC_URL.replace("./data/ml-connector",
                storeDir.resolve("ml-connector").toString()));
        values.put("secrets.keyset-path", storeDir.resolve("keyset.json").toString());
        values.put("freshbooks.api-base-url", simulators.freshBooks().baseUrl());
        values.put("freshbooks.auth-base-url", simulators.freshBooks().baseUrl());
        values.put("freshbooks.client-id", simulators.freshBooks().demoApp().clientId());
        values.put("freshbooks.client-secret", simulators.freshBooks().demoApp().clientSecret());
        values.put("freshbooks.redirect-uri", redirect.toString());
        values.put("powerbi.authority-host", simulators.entra().baseUrl());
        values.put("powerbi.tenant-id", simulators.demoApp().tenantId());
        values.put("powerbi.client-id", simulators.demoApp().clientId());
        values.put("powerbi.client-secret", simulators.demoApp().clientSecret());
        values.put("powerbi.api-base-url", simulators.powerBi().baseUrl());
        values.put("powerbi.workspace-id", simulators.demoWorkspaceId());
        values.put("powerbi.trusted-certificate-pem", pem.toString());
        return values;
    }

    static Path writeConfig(Path file, Map<String, String> values) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Files.writeString(absolute, ConfigTemplate.yaml(List.of(
                "Written by mlc sim, rewritten at each start: the connector's configuration against the simulators.",
                "Run: mlc serve --config " + file + "   then: mlc connect freshbooks --config " + file), values),
                StandardCharsets.UTF_8);
        return absolute;
    }

    /** Each service, then each configuration value under its key, for people and scripts. */
    static List<String> describe(Simulators simulators, Map<String, String> values, List<String> acceptedRedirects, Path written) {
        List<String> lines = new ArrayList<>();
        simulators.services().forEach(s -> lines.add(line(s.name(), s.baseUrl())));
        lines.add(line("Power BI viewer", simulators.powerBi().baseUrl() + "/sim"));
        lines.add(line("FreshBooks user", simulators.freshBooks().demoUser().email() + " (approves every OAuth request)"));
        lines.add(line("redirect URIs", String.join(" ", acceptedRedirects) + " (accepted by the FreshBooks app)"));
        lines.add("");
        lines.add("Configuration for mlc serve" + (written == null ? " (--write-config FILE writes it)" : ", written to " + written) + ":");
        values.forEach((key, value) -> lines.add("  " + line(key, value)));
        lines.add("");
        String config = written == null ? "FILE" : written.toString();
        lines.add("Next: mlc serve --config " + config + "   then: mlc connect freshbooks --config " + config
                + " and open the link it prints.");
        return lines;
    }

    private static String line(String name, String value) {
        return String.format("%-32s %s", name, value);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }
}
