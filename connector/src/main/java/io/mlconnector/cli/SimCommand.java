package io.mlconnector.cli;

import io.mlconnector.sim.Simulators;
import io.mlconnector.sim.common.Loopback;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the FreshBooks, Entra ID and Power BI simulators until stopped. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run the FreshBooks, Entra ID and Power BI simulators until stopped (Ctrl-C).")
public final class SimCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8440", converter = Converters.Port.class, description = "First port; the simulators take consecutive ports, 0 = any free ports (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind-host", defaultValue = Loopback.HOST, description = "Address to listen on; the simulators "
            + "approve OAuth and hand out tokens to anyone, so keep loopback unless others must reach them, e.g. 0.0.0.0 "
            + "(default ${DEFAULT-VALUE}).")
    String bindHost;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for generated data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cert-file", defaultValue = "data/sim/entra-localhost.pem",
            description = "Where to write the Entra simulator's TLS certificate (PEM) for clients to trust (default ${DEFAULT-VALUE}).")
    Path certFile;

    @Override
    public Integer call() throws Exception {
        Simulators simulators = Simulators.start(bindHost, port, Simulators.Options.defaults(seed), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulators.close();
            stopped.countDown();
        }, "sim-shutdown"));
        Path pem = writeCertificate(simulators, certFile);
        describe(simulators, pem).forEach(System.out::println);
        System.out.flush();
        stopped.await();
        return 0;
    }

    static Path writeCertificate(Simulators simulators, Path file) throws java.io.IOException {
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Files.writeString(absolute, simulators.entra().certificatePem(), StandardCharsets.US_ASCII);
        return absolute;
    }

    /** One "name value" line per service, demo credential and the certificate file, for people and scripts. */
    static List<String> describe(Simulators simulators, Path pem) {
        List<String> lines = new ArrayList<>();
        simulators.services().forEach(s -> lines.add(line(s.name(), s.baseUrl())));
        lines.add(line("tenant-id", simulators.demoApp().tenantId()));
        lines.add(line("client-id", simulators.demoApp().clientId()));
        lines.add(line("client-secret", simulators.demoApp().clientSecret()));
        lines.add(line("workspace-id", simulators.demoWorkspaceId()));
        lines.add(line("fb-client-id", simulators.freshBooks().demoApp().clientId()));
        lines.add(line("fb-secret", simulators.freshBooks().demoApp().clientSecret()));
        lines.add(line("fb-user", simulators.freshBooks().demoUser().email()));
        lines.add(line("entra-cert", pem.toString()));
        return lines;
    }

    private static String line(String name, String value) {
        return String.format("%-14s %s", name, value);
    }
}
