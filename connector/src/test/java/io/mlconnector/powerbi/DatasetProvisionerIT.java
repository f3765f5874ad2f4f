package io.mlconnector.powerbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.mapping.DatasetModel.Table;
import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.mapping.Row;
import io.mlconnector.sim.powerbi.DatasetDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DatasetProvisioner} and the schema-mismatch path against the Power BI simulator's strict validation. */
class DatasetProvisionerIT {

    private static final String WORKSPACE = SimulatedPowerBi.WORKSPACE;
    private static final DatasetModel MODEL = DatasetModel.freshBooks("FreshBooks");

    private final SimulatedPowerBi sims = new SimulatedPowerBi();
    private final PushDatasetClient client = sims.client(sims.tokenSource());
    private final DatasetProvisioner provisioner = new DatasetProvisioner(client, RetentionPolicy.NONE);

    @AfterEach
    void stop() {
        sims.close();
    }

    @Test
    void ensureCreatesTheWholeModelThenFindsItAndChangesNothing() {
        DatasetProvisioner.Provisioned first = provisioner.ensure(WORKSPACE, MODEL);

        assertThat(first.created()).isTrue();
        assertThat(first.warnings()).isEmpty();
        assertMatchesModel(definition(first.datasetId()), MODEL);
        assertThat(sims.powerBi.datasets()).singleElement()
                .satisfies(d -> assertThat(d.retention().apiName()).isEqualTo("None"));

        DatasetProvisioner.Provisioned second = provisioner.ensure(WORKSPACE, MODEL);

        assertThat(second.datasetId()).isEqualTo(first.datasetId());
        assertThat(second.created()).isFalse();
        assertThat(second.tablesPut()).isEmpty();
        assertThat(second.warnings()).isEmpty();
        assertThat(sims.powerBi.datasets()).hasSize(1);
        assertMatchesModel(definition(first.datasetId()), MODEL);
        assertThat(provisioner.check(WORKSPACE, MODEL)).isEmpty();
    }

    @Test
    void syncPutsEveryTableAndKeepsRows() {
        String datasetId = provisioner.ensure(WORKSPACE, MODEL).datasetId();
        List<Map<String, Object>> rows = pushJson(map("client", FreshBooksFixtures.CLIENT));
        assertThat(client.postRows(WORKSPACE, datasetId, "clients", rows)).isInstanceOf(PostRowsResult.Accepted.class);

        DatasetProvisioner.Provisioned synced = provisioner.sync(WORKSPACE, MODEL);

        assertThat(synced.datasetId()).isEqualTo(datasetId);
        assertThat(synced.created()).isFalse();
        assertThat(synced.tablesPut()).containsExactlyElementsOf(MODEL.tableNames());
        assertThat(synced.warnings()).isEmpty();
        assertMatchesModel(definition(datasetId), MODEL);
        assertThat(sims.powerBi.rows(datasetId, "clients")).hasSize(1);
    }

    @Test
    void rowsForAColumnTheServiceLacksAreRejectedNamingItAndAcceptedAfterSync() {
        DatasetModel reduced = withoutColumn(MODEL, "invoices", "display_status");
        String datasetId = provisioner.ensure(WORKSPACE, reduced).datasetId();
        List<Map<String, Object>> rows = pushJson(map("invoice", FreshBooksFixtures.INVOICE).stream()
                .filter(r -> r.table().equals("invoices")).toList());

        PostRowsResult result = client.postRows(WORKSPACE, datasetId, "invoices", rows);

        assertThat(result).isInstanceOfSatisfying(PostRowsResult.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(400);
            assertThat(rejected.requestId()).isNotBlank();
            assertThat(SchemaDiff.fromRowsRejection(MODEL, "invoices", rejected))
                    .extracting(SchemaDiff.Difference::kind, SchemaDiff.Difference::table, SchemaDiff.Difference::column)
                    .containsExactly(tuple(SchemaDiff.Kind.COLUMN_REJECTED, "invoices", "display_status"));
        });
        assertThat(sims.powerBi.rows(datasetId, "invoices")).as("nothing written").isEmpty();

        DatasetProvisioner.Provisioned synced = provisioner.sync(WORKSPACE, MODEL);

        assertThat(synced.datasetId()).isEqualTo(datasetId);
        assertThat(synced.tablesPut()).contains("invoices");
        assertThat(client.postRows(WORKSPACE, datasetId, "invoices", rows)).isInstanceOf(PostRowsResult.Accepted.class);
        assertThat(sims.powerBi.rows(datasetId, "invoices")).singleElement()
                .satisfies(stored -> assertThat(stored).containsEntry("display_status", "sent"));
    }

    /**
     * The reference documents PUT table for changing existing tables only (powerbi-api.md §2.6); the simulator
     * reads that strictly and answers 404 for a table the dataset lacks. So a table missing from an existing
     * dataset is not silently "added": ensure and sync warn, naming the table and the fix that works
     * (re-create the dataset), and the other tables are still put.
     */
    @Test
    void aTableMissingFromAnExistingDatasetIsNotSilentlyAdded() {
        DatasetModel withoutAccounts = new DatasetModel(MODEL.datasetName(),
                MODEL.tables().stream().filter(t -> !t.name().equals("accounts")).toList(), MODEL.relationships());
        String datasetId = provisioner.ensure(WORKSPACE, withoutAccounts).datasetId();

        assertThat(provisioner.check(WORKSPACE, MODEL)).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(SchemaDiff.Kind.MISSING_TABLE);
            assertThat(d.table()).isEqualTo("accounts");
            assertThat(d.fix()).isEqualTo(SchemaDiff.MISSING_TABLE_FIX).contains("delete the dataset");
        });
        DatasetProvisioner.Provisioned ensured = provisioner.ensure(WORKSPACE, MODEL);
        DatasetProvisioner.Provisioned synced = provisioner.sync(WORKSPACE, MODEL);

        for (DatasetProvisioner.Provisioned result : List.of(ensured, synced)) {
            assertThat(result.datasetId()).isEqualTo(datasetId);
            assertThat(result.tablesPut()).doesNotContain("accounts");
            assertThat(result.warnings()).singleElement().asString()
                    .contains("'accounts'", "ItemNotFound", SchemaDiff.MISSING_TABLE_FIX);
        }
        assertThat(synced.tablesPut()).containsExactlyElementsOf(withoutAccounts.tableNames());
        assertThat(definition(datasetId).tables()).extracting(DatasetDefinition.Table::name).doesNotContain("accounts");
    }

    // ---- helpers ----

    static void assertMatchesModel(DatasetDefinition definition, DatasetModel model) {
        assertThat(definition.name()).isEqualTo(model.datasetName());
        assertThat(definition.defaultMode()).isEqualTo("Push");
        assertThat(definition.tables()).extracting(DatasetDefinition.Table::name)
                .containsExactlyElementsOf(model.tableNames());
        for (Table table : model.tables()) {
            DatasetDefinition.Table service = definition.table(table.name()).orElseThrow();
            assertThat(service.columns())
                    .extracting(c -> c.name(), c -> c.dataType().apiName())
                    .as("columns of %s", table.name())
                    .containsExactlyElementsOf(table.columns().stream()
                            .map(c -> tuple(c.name(), c.dataType().powerBiName())).toList());
            assertThat(service.measures())
                    .extracting(DatasetDefinition.Measure::name, DatasetDefinition.Measure::expression)
                    .as("measures of %s", table.name())
                    .containsExactlyElementsOf(table.measures().stream()
                            .map(m -> tuple(m.name(), m.expression())).toList());
        }
        assertThat(definition.relationships())
                .extracting(r -> r.name(), r -> r.fromTable(), r -> r.fromColumn(), r -> r.toTable(), r -> r.toColumn())
                .containsExactlyElementsOf(model.relationships().stream()
                        .map(r -> tuple(r.name(), r.fromTable(), r.fromColumn(), r.toTable(), r.toColumn())).toList());
    }

    private DatasetDefinition definition(String datasetId) {
        return sims.powerBi.store().definition(datasetId).orElseThrow();
    }

    static DatasetModel withoutColumn(DatasetModel model, String tableName, String columnName) {
        List<Table> tables = model.tables().stream().map(t -> !t.name().equals(tableName) ? t
                : new Table(t.name(), t.columns().stream().filter(c -> !c.name().equals(columnName)).toList(),
                        t.measures())).toList();
        return new DatasetModel(model.datasetName(), tables, model.relationships());
    }

    static List<Row> map(String objectType, String recordJson) {
        return MapperRegistry.standard().require(objectType)
                .map(FreshBooksFixtures.TENANT, FreshBooksFixtures.json(recordJson));
    }

    static List<Map<String, Object>> pushJson(List<Row> rows) {
        return rows.stream().map(r -> r.toPushJson(1, SimulatedPowerBi.START, "batch-1")).toList();
    }
}
