package io.mlconnector.cli;

import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.powerbi.DatasetProvisioner;
import io.mlconnector.powerbi.PowerBiConnection;
import io.mlconnector.powerbi.SchemaDiff;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The configured Power BI push dataset against the mapping: check, create, sync (DESIGN §5 "Schema"). */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Check, create or sync the configured Power BI push dataset against the mapping.",
        subcommands = {DatasetCommand.Check.class, DatasetCommand.Create.class, DatasetCommand.Sync.class,
                DatasetCommand.Compact.class})
public final class DatasetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --config}, as {@code serve} takes it: the file, then {@code ML_CONNECTOR_*} over it. */
    static final class ConfigOption {
        @Option(names = "--config", defaultValue = ConfigLoader.FILE_NAME,
                description = "Configuration file (default ${DEFAULT-VALUE}); ML_CONNECTOR_* environment variables override it.")
        Path configFile;

        PowerBiConnection connect() {
            ConnectorConfig config = new ConfigLoader().load(configFile, System.getenv());
            return PowerBiConnection.from(config.powerbi(), Clock.systemUTC());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Print each difference between the dataset and the mapping, with its fix. "
                    + "Exit 0 when none blocks pushes, 1 otherwise. Changes nothing.")
    static final class Check implements Callable<Integer> {
        @Mixin
        ConfigOption config;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PowerBiConnection powerBi = config.connect();
            List<SchemaDiff.Difference> differences = powerBi.provisioner().check(powerBi.workspaceId(), powerBi.model());
            PrintWriter out = spec.commandLine().getOut();
            String dataset = describe(powerBi);
            long blocking = differences.stream().filter(SchemaDiff.Difference::blocksPushes).count();
            if (differences.isEmpty()) {
                out.println("Dataset " + dataset + " has every table of the mapping.");
            } else {
                out.println("Dataset " + dataset + ": " + count(differences.size(), "difference") + ", "
                        + blocking + " blocking pushes");
                for (SchemaDiff.Difference d : differences) {
                    out.println((d.blocksPushes() ? "  blocks pushes: " : "  harmless:      ") + d.description());
                    out.println("                 fix: " + d.fix());
                }
            }
            out.println(COLUMNS_NOTE);
            return blocking == 0 ? 0 : 1;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the dataset from the mapping when the workspace has none with its name "
                    + "(tables, measures, relationships); add tables it lacks. Leaves existing tables alone.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConfigOption config;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PowerBiConnection powerBi = config.connect();
            DatasetProvisioner.Provisioned result = powerBi.provisioner().ensure(powerBi.workspaceId(), powerBi.model());
            PrintWriter out = spec.commandLine().getOut();
            if (powerBi.provisioner().adoptedDatasetId().isPresent()) { // its name need not be powerbi.dataset-name
                out.println("Adopted dataset " + result.datasetId() + " (powerbi.dataset-id) in workspace " + powerBi.workspaceId());
            } else {
                out.println((result.created() ? "Created dataset " : "Found dataset ") + describe(powerBi) + ": id "
                        + result.datasetId());
            }
            if (!result.tablesPut().isEmpty()) {
                out.println("Added tables: " + String.join(", ", result.tablesPut()));
            }
            printWarnings(out, result);
            return 0;
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "PUT every table of the mapping (columns and measures) into the dataset, creating it "
                    + "when missing. A running connector retries blocked tables within 30 s.")
    static final class Sync implements Callable<Integer> {
        @Mixin
        ConfigOption config;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PowerBiConnection powerBi = config.connect();
            DatasetProvisioner.Provisioned result = powerBi.provisioner().sync(powerBi.workspaceId(), powerBi.model());
            PrintWriter out = spec.commandLine().getOut();
            if (result.created()) {
                out.println("Created dataset " + describe(powerBi) + " from the mapping: id " + result.datasetId());
            } else {
                out.println("Synced dataset " + describe(powerBi) + " (id " + result.datasetId() + "): put "
                        + count(result.tablesPut().size(), "table")
                        + (result.tablesPut().isEmpty() ? "" : ": " + String.join(", ", result.tablesPut())));
            }
            printWarnings(out, result);
            // SchemaGuard probes a blocked table every 30 s; the running service is another process.
            out.println("A running connector retries blocked tables within 30 s; `mlc status` shows them.");
            return 0;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Clear tables in Power BI and reload their current rows from the running connector's ledger "
                    + "(one row per record, no reversals). Also done by itself near the 5,000,000-row cap.")
    static final class Compact implements Callable<Integer> {
        @Parameters(paramLabel = "TABLE", arity = "0..*", description = "Tables to compact (see `mlc dataset check`).")
        List<String> tables = new java.util.ArrayList<>();
        @Option(names = "--all", description = "Every table of the mapping.")
        boolean all;
        @Mixin
        ServiceOptions service;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (all == !tables.isEmpty()) {
                throw new CommandFailure("name the tables to compact, or give --all (not both)");
            }
            StringBuilder path = new StringBuilder("/api/dataset/compact");
            for (int i = 0; i < tables.size(); i++) {
                path.append(i == 0 ? '?' : '&').append("table=")
                        .append(java.net.URLEncoder.encode(tables.get(i), java.nio.charset.StandardCharsets.UTF_8));
            }
            ConnectorService.Answer answer = service.service().post(path.toString());
            if (answer.status() == 404) { // the public listener, or not a connector: it has no such API
                throw new CommandFailure("POST " + path + " answered HTTP 404: --url must be the connector's admin URL"
                        + " (admin.bind-host and admin.port, default http://127.0.0.1:8081)");
            }
            tools.jackson.databind.JsonNode body;
            try {
                body = answer.body() == null || answer.body().isBlank()
                        ? tools.jackson.databind.node.MissingNode.getInstance()
                        : tools.jackson.databind.json.JsonMapper.builder().build().readTree(answer.body());
            } catch (tools.jackson.core.JacksonException e) {
                throw new CommandFailure("POST " + path + " answered HTTP " + answer.status() + " without JSON: is --url the"
                        + " connector's admin URL?");
            }
            if (answer.status() == 400) {
                throw new CommandFailure(body.path("error").asString("the connector refused: HTTP 400"));
            }
            if (answer.status() != 200) {
                throw new CommandFailure("POST " + path + " answered HTTP " + answer.status());
            }
            PrintWriter out = spec.commandLine().getOut();
            body.path("queued").properties().forEach(e ->
                    out.println("  " + e.getKey() + ": " + e.getValue().asLong() + " rows to reload"));
            out.println("The connector clears each table in Power BI, then reloads it; `mlc status` shows progress.");
            return 0;
        }
    }

    /** Power BI lists push-dataset tables by name only (powerbi-api.md §2.5), so a check cannot see their columns. */
    static final String COLUMNS_NOTE = "Columns are compared only where Power BI lists them (for push datasets it lists "
            + "table names only); a push refused for a column blocks its table, which `mlc status` shows with its fix.";

    private static String describe(PowerBiConnection powerBi) {
        return "'" + powerBi.model().datasetName() + "' in workspace " + powerBi.workspaceId();
    }

    private static void printWarnings(PrintWriter out, DatasetProvisioner.Provisioned result) {
        result.warnings().forEach(w -> out.println("warning: " + w));
    }

    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
