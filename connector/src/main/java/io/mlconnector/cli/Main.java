package io.mlconnector.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlc} command line: one subcommand per user task. */
@Command(name = "mlc",
        mixinStandardHelpOptions = true,
        version = "ml-connector 0.1.0",
        description = "Streams FreshBooks accounting data into Power BI push datasets.",
        subcommands = {SimCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
