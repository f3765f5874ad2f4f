package io.mlconnector.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlc} command line: one subcommand per user task. */
@Command(name = "mlc",
        mixinStandardHelpOptions = true,
        version = "ml-connector 0.1.0",
        description = "Streams FreshBooks accounting data into Power BI push datasets.",
        subcommands = {ServeCommand.class, DemoCommand.class, SimCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: a bad configuration prints its one message, not a stack trace. */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof io.mlconnector.config.ConfigException) {
                cmd.getErr().println("Configuration error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
