package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.sim.Simulators;
import io.mlconnector.sim.powerbi.DatasetSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc dataset check | create | sync} through {@link Main#commandLine()}, against the Entra (HTTPS, trusted
 * through the configured PEM) and Power BI simulators, with a configuration file as a user writes it.
 */
public class DatasetCommandIT {
    private static final String DATASET = "FreshBooks (cli)";

    @TempDir
    Path dir;
    private Simulators sims;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        sims = Simulators.start(0, 7, Clock.systemUTC());
        Path pem = dir.resolve("entra.pem");
        Files.writeString(pem, sims.entra().certificatePem());
        config = dir.resolve("ml-connector.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  public-base-url: http://127.0.0.1:1",
                "freshbooks:",
                "  client-id: unused",
                "  client-secret: unused",
                "powerbi:",
                "  authority-host: " + sims.entra().baseUrl(),
                "  tenant-id: " + sims.demoApp().tenantId(),
                "  client-id: " + sims.demoApp().clientId(),
                "  client-secret: " + sims.demoApp().clientSecret(),
                "  api-base-url: " + sims.powerBi().baseUrl(),
                "  workspace-id: " + sims.demoWorkspaceId(),
                "  dataset-name: " + DATASET,
                "  trusted-certificate-pem: " + pem,
                ""));
    }

    @AfterEach
    void stop() {
        sims.close();
    }

    @Test
    void checkCreateCheckSyncOnAWorkspaceWithoutTheDataset() {
        Run missing = run("dataset", "check", "--config", config.toString());
        assertThat(missing.exit).as(missing.toString()).isEqualTo(1);
        assertThat(missing.out).contains("'" + DATASET + "' does not exist", "blocks pushes", "fix: mlc dataset create");

        Run created = run("dataset", "create", "--config", config.toString());
        assertThat(created.exit).as(created.toString()).isZero();
        String id = onlyDatasetId();
        assertThat(created.out).contains("Created dataset '" + DATASET + "' in workspace " + sims.demoWorkspaceId(),
                "id " + id);

        Run again = run("dataset", "create", "--config", config.toString());
        assertThat(again.exit).as(again.toString()).isZero();
        assertThat(again.out).contains("Found dataset '" + DATASET + "'", "id " + id);
        assertThat(onlyDatasetId()).isEqualTo(id);

        Run matches = run("dataset", "check", "--config", config.toString());
        assertThat(matches.exit).as(matches.toString()).isZero();
        assertThat(matches.out).contains("has every table of the mapping");

        Run synced = run("dataset", "sync", "--config", config.toString());
        assertThat(synced.exit).as(synced.toString()).isZero();
        assertThat(synced.out).contains("Synced dataset '" + DATASET + "'", "(id " + id + ")",
                "put " + DatasetModel.freshBooks(DATASET).tables().size() + " tables", "within 30 s");
    }

    @Test
    void checkPrintsAMissingTableWithItsFixAndSyncWarnsThatPowerBiCannotAddIt() {
        // A dataset made by hand or by an older version: no 'accounts' table, an extra 'scratch' table.
        DatasetModel full = DatasetModel.freshBooks(DATASET);
        List<DatasetModel.Table> tables = new java.util.ArrayList<>(full.tables());
        tables.removeIf(t -> t.name().equals("accounts"));
        tables.add(new DatasetModel.Table("scratch",
                List.of(new DatasetModel.Column("note", DatasetModel.DataType.STRING)), List.of()));
        sims.powerBi().store().createDataset(sims.demoApp().clientId(), sims.demoWorkspaceId(),
                new DatasetModel(DATASET, tables, List.of()).toCreateDatasetJson(), null);

        Run differs = run("dataset", "check", "--config", config.toString());
        assertThat(differs.exit).as(differs.toString()).isEqualTo(1);
        assertThat(differs.out).contains("2 differences, 1 blocking pushes",
                "blocks pushes: dataset '" + DATASET + "' has no table 'accounts'",
                "fix: delete the dataset in Power BI, run mlc dataset create",
                "harmless:      dataset '" + DATASET + "' has a table 'scratch'");

        Run synced = run("dataset", "sync", "--config", config.toString());
        assertThat(synced.exit).as(synced.toString()).isZero();
        assertThat(synced.out).contains("put " + (full.tables().size() - 1) + " tables",
                "warning: dataset " + onlyDatasetId() + " has no table 'accounts' and Power BI refused to add it",
                "A running connector retries blocked tables within 30 s");
    }

    @Test
    void syncPutsBackAColumnRemovedByHand() {
        assertThat(run("dataset", "create", "--config", config.toString()).exit).isZero();
        String id = onlyDatasetId();
        DatasetModel.Table full = DatasetModel.PAYMENTS;
        DatasetModel.Table reduced = new DatasetModel.Table(full.name(),
                full.columns().stream().filter(c -> !c.name().equals("payment_type")).toList(), full.measures());
        sims.powerBi().store().putTable(sims.demoApp().clientId(), sims.demoWorkspaceId(), id, full.name(),
                DatasetModel.toTableJson(reduced));

        // Power BI lists table names only (powerbi-api.md §2.5), so check cannot see a column; it says so.
        Run unseen = run("dataset", "check", "--config", config.toString());
        assertThat(unseen.exit).as(unseen.toString()).isZero();
        assertThat(unseen.out).contains("has every table of the mapping", "mlc status");

        Run synced = run("dataset", "sync", "--config", config.toString());

        assertThat(synced.exit).as(synced.toString()).isZero();
        assertThat(synced.out).contains("payments");
        assertThat(sims.powerBi().store().definition(id).orElseThrow().table("payments").orElseThrow()
                .column("payment_type")).isPresent();
    }

    @Test
    void aWrongSecretIsOneMessageNotAStackTrace() throws Exception {
        Files.writeString(config, Files.readString(config).replace(
                "client-secret: " + sims.demoApp().clientSecret(), "client-secret: wrong"));

        Run refused = run("dataset", "check", "--config", config.toString());

        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.err).startsWith("Power BI: ").doesNotContain("\tat ", "wrong");
    }

    /** Issue 13 item 2: where Power BI refuses creation, mlc says how to proceed; powerbi.dataset-id then adopts one. */
    @Test
    void creationRefusedIsOneLineNamingDatasetIdWhichThenAdoptsADatasetMadeElsewhere() throws Exception {
        sims.powerBi().settings(sims.powerBi().settings().withDatasetCreation(false));

        Run refused = run("dataset", "create", "--config", config.toString());

        assertThat(refused.exit).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err.lines().toList()).as(refused.toString()).singleElement().asString()
                .startsWith("Power BI: Power BI refused to create dataset '" + DATASET + "'")
                .contains("FeatureDeprecatedError", "powerbi.dataset-id");
        assertThat(sims.powerBi().datasets()).isEmpty();

        String made = sims.powerBi().store().createDatasetElsewhere(sims.demoApp().clientId(), sims.demoWorkspaceId(),
                DatasetModel.freshBooks("Made by hand").toCreateDatasetJson(), "None").id();
        String plain = Files.readString(config);
        Files.writeString(config, plain + "  dataset-id: " + made + "\n");
        Run adopted = run("dataset", "create", "--config", config.toString());
        assertThat(adopted.exit).as(adopted.toString()).isZero();
        assertThat(adopted.out).contains("Adopted dataset " + made + " (powerbi.dataset-id) in workspace");
        assertThat(run("dataset", "check", "--config", config.toString()).exit).isZero();

        Files.writeString(config, plain + "  dataset-id: no-such-dataset\n");
        Run missing = run("dataset", "check", "--config", config.toString());
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err.lines().toList()).singleElement().asString()
                .startsWith("Power BI: dataset no-such-dataset (powerbi.dataset-id) is not in workspace")
                .contains("'Made by hand' " + made, "Set powerbi.dataset-id");
        assertThat(sims.powerBi().datasets()).hasSize(1);
    }

    private String onlyDatasetId() {
        List<DatasetSummary> datasets = sims.powerBi().store().datasets(sims.demoApp().clientId(), sims.demoWorkspaceId()).stream()
                .filter(d -> d.name().equals(DATASET)).toList();
        assertThat(datasets).hasSize(1);
        return datasets.get(0).id();
    }

    public record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
