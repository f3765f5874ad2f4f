package io.mlconnector.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mlc connect freshbooks}: asks the admin API for a one-time link that connects a FreshBooks business. */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Connect the two sides: freshbooks mints a one-time link that connects a business; powerbi checks the service principal can push.",
        subcommands = {ConnectCommand.FreshBooks.class, ConnectPowerBiCommand.class})
public final class ConnectCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "freshbooks", mixinStandardHelpOptions = true,
            description = "Print a one-time link to connect a FreshBooks business (valid for admin.connect-link-lifetime, usable once).")
    static final class FreshBooks implements Callable<Integer> {
        @Mixin
        ServiceOptions service;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode link = service.service().post("/api/connect/freshbooks").okJson("POST /api/connect/freshbooks");
            long minutes = Math.max(1, link.path("validForSeconds").asLong() / 60);
            spec.commandLine().getOut().println(link.path("link").asString());
            spec.commandLine().getOut().println("Open it in a browser within " + minutes + " min to connect a FreshBooks business;"
                    + " it works once.");
            return 0;
        }
    }
}
