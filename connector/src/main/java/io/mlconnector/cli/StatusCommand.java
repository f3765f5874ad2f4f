package io.mlconnector.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** A running connector's {@code /api/status}, summarised for a person. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Summarise a running connector: tenants, events and rows in flight, the oldest waiting item, "
                + "blocked tables, quarantined batches and dead-lettered records with what fixes them.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions service;

    @picocli.CommandLine.Option(names = "--json", description = "Print the admin API's JSON as it comes, for scripts.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConnectorService.Answer answer = service.service().get("/api/status");
        JsonNode status = answer.okJson("GET /api/status");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(answer.body());
            return 0;
        }
        StatusReport.render(status).forEach(out::println);
        return 0;
    }
}
