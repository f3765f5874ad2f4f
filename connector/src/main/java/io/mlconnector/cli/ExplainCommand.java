package io.mlconnector.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Why a record's rows are in a Power BI table: each signed row with its batch, state, time and cause. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Which webhook events, fetches and batches put each row of one FreshBooks record into one "
                + "Power BI table, and when: every + and − row with its batch id, the batch's state and sent time, and "
                + "its cause; then what the connector's ledger holds for the record.",
                "Read from the running connector's store. Sent rows older than pipeline.retention are gone.",
                "Exit 0 when something is known of the record, 1 when nothing (or an unknown tenant), 2 for a bad table."})
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TABLE", description = "The Power BI table, e.g. invoices, invoice_lines, payments.")
    String table;

    @Parameters(index = "1", paramLabel = "ID", description = "The FreshBooks record's id, e.g. 100001.")
    String id;

    @Option(names = "--tenant", paramLabel = "TENANT",
            description = "The tenant (as `mlc status` lists it); default: every tenant with such a record.")
    String tenant;

    @Mixin
    ServiceOptions service;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String path = "/api/explain?table=" + encode(table) + "&id=" + encode(id)
                + (tenant == null ? "" : "&tenant=" + encode(tenant));
        ConnectorService.Answer answer = service.service().get(path);
        if (answer.status() == 400 || answer.status() == 404) {
            String error;
            try {
                error = JsonMapper.builder().build().readTree(answer.body()).path("error").asString("HTTP " + answer.status());
            } catch (JacksonException e) {
                error = "GET /api/explain answered HTTP " + answer.status();
            }
            if (answer.status() == 400) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), error);
            }
            throw new CommandFailure(error);
        }
        JsonNode explanation = answer.okJson("GET /api/explain");
        List<String> lines = ExplainReport.render(explanation);
        lines.forEach(spec.commandLine().getOut()::println);
        return explanation.path("rows").isEmpty() && explanation.path("ledger").isEmpty() ? 1 : 0;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
