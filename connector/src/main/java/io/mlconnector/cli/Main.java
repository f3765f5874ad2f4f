package io.mlconnector.cli;

import io.mlconnector.config.ConfigException;
import io.mlconnector.powerbi.PowerBiApiException;
import io.mlconnector.powerbi.PowerBiAuthException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlc} command line: one subcommand per user task. */
@Command(name = "mlc",
        mixinStandardHelpOptions = true,
        version = "ml-connector 0.1.0",
        description = "Streams FreshBooks accounting data into Power BI push datasets.",
        subcommands = {ServeCommand.class, StatusCommand.class, ReplayCommand.class, DatasetCommand.class,
                DemoCommand.class, SimCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error handling: a bad configuration, an unreachable service or a refusal from
     * Power BI prints its one message, not a stack trace.
     */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("Configuration error: " + e.getMessage());
                return 2;
            }
            if (e instanceof CommandFailure) {
                cmd.getErr().println(e.getMessage());
                return 1;
            }
            if (e instanceof PowerBiApiException || e instanceof PowerBiAuthException) {
                cmd.getErr().println("Power BI: " + e.getMessage());
                return 1;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
