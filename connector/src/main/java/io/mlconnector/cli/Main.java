package io.mlconnector.cli;

import io.mlconnector.config.ConfigException;
import io.mlconnector.powerbi.NoDatasetException;
import io.mlconnector.powerbi.PowerBiApiException;
import io.mlconnector.powerbi.PowerBiAuthException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code mlc} command line: one subcommand per user task. */
@Command(name = "mlc",
        mixinStandardHelpOptions = true,
        version = "ml-connector 0.1.0",
        description = "Streams FreshBooks accounting data into Power BI push datasets.",
        subcommands = {InitCommand.class, ServeCommand.class, ConnectCommand.class, StatusCommand.class, ReplayCommand.class,
                DatasetCommand.class, DemoCommand.class, SimCommand.class, KeysCommand.class, WebhooksCommand.class,
                BackfillCommand.class, ExplainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print the Java stack trace too.")
    boolean verbose;

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
            if (e instanceof NoDatasetException noDataset) { // what is wrong, then what to do
                cmd.getErr().println("Power BI: " + noDataset.reason() + " " + noDataset.fix());
                return 1;
            }
            if (e instanceof PowerBiApiException api) { // what failed, then the key or role that fixes it
                cmd.getErr().println("Power BI: " + api.explained());
                return 1;
            }
            if (e instanceof PowerBiAuthException) {
                cmd.getErr().println("Power BI: " + e.getMessage());
                return 1;
            }
            // Anything else: one line that names the cause; the trace only when asked for.
            cmd.getErr().println(Mistakes.explain(e));
            if (verbose(parsed)) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(--verbose shows the stack trace)");
            }
            return 1;
        }).setParameterExceptionHandler((e, args) -> {
            // A mistyped option or value: its message and where to look, not the whole usage.
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(e.getMessage());
            cmd.getErr().println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
    }

    /** {@code --verbose} anywhere on the line (it is inherited by every subcommand). */
    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
