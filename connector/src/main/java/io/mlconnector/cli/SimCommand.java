package io.mlconnector.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the FreshBooks, Entra ID and Power BI simulators until stopped. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run the FreshBooks, Entra ID and Power BI simulators until stopped (Ctrl-C).")
public final class SimCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8440", description = "First port; the simulators take consecutive ports (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for generated data (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        throw new UnsupportedOperationException("wired by the simulator launcher");
    }
}
