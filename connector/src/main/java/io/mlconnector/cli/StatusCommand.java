package io.mlconnector.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A running connector's {@code /api/status}, summarised for a person. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Summarise a running connector: tenants, events and rows in flight, the oldest waiting item, "
                + "blocked tables and quarantined batches with what fixes them.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions service;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConnectorService.Answer answer = new ConnectorService(service.baseUrl()).get("/api/status");
        if (answer.status() != 200) {
            throw new CommandFailure("GET /api/status answered HTTP " + answer.status());
        }
        JsonNode status;
        try {
            status = JsonMapper.builder().build().readTree(answer.body());
        } catch (JacksonException e) {
            throw new CommandFailure("GET /api/status did not answer JSON: " + e.getOriginalMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        StatusReport.render(status).forEach(out::println);
        return 0;
    }
}
