package io.mlconnector.powerbi;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.mapping.DatasetModel.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a workspace hold the dataset {@link DatasetModel} describes: finds it by name, creates it when
 * missing, and PUTs tables. Relationships exist only from creation (there is no API to change them),
 * so a model change that touches relationships needs a new dataset; sync says so in its warnings.
 */
public final class DatasetProvisioner {

    /** Outcome of {@link #ensure} or {@link #sync}. */
    public record Provisioned(String datasetId, boolean created, List<String> tablesPut, List<String> warnings) {
        public Provisioned {
            tablesPut = List.copyOf(tablesPut);
            warnings = List.copyOf(warnings);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DatasetProvisioner.class);

    private final PushDatasetClient client;
    private final RetentionPolicy retentionPolicy;

    public DatasetProvisioner(PushDatasetClient client, RetentionPolicy retentionPolicy) {
        this.client = Objects.requireNonNull(client, "client");
        this.retentionPolicy = Objects.requireNonNull(retentionPolicy, "retentionPolicy");
    }

    /** Before the first push: create the dataset if missing, add missing tables; leaves existing tables alone. */
    public Provisioned ensure(String workspaceId, DatasetModel model) {
        return provision(workspaceId, model, false);
    }

    /** {@code mlc dataset sync}: as {@link #ensure}, and PUT every model table so columns and measures match. */
    public Provisioned sync(String workspaceId, DatasetModel model) {
        return provision(workspaceId, model, true);
    }

    /** The differences between the workspace and the model, without changing anything. */
    public List<SchemaDiff.Difference> check(String workspaceId, DatasetModel model) {
        Optional<DatasetInfo> dataset = pick(workspaceId, model, new ArrayList<>());
        return SchemaDiff.compare(model, dataset.map(d -> client.getTables(workspaceId, d.id())));
    }

    private Provisioned provision(String workspaceId, DatasetModel model, boolean putEveryTable) {
        List<String> warnings = new ArrayList<>();
        Optional<DatasetInfo> existing = pick(workspaceId, model, warnings);
        if (existing.isEmpty()) {
            DatasetInfo created = client.createDataset(workspaceId, model, retentionPolicy);
            return new Provisioned(created.id(), true, List.of(), warnings);
        }
        String datasetId = existing.get().id();
        Set<String> present = client.getTables(workspaceId, datasetId).stream()
                .map(TableInfo::name).collect(Collectors.toSet());
        List<String> put = new ArrayList<>();
        for (Table table : model.tables()) {
            if (!present.contains(table.name())) {
                if (putMissing(workspaceId, datasetId, table, warnings)) {
                    put.add(table.name());
                }
            } else if (putEveryTable) {
                client.putTable(workspaceId, datasetId, table);
                put.add(table.name());
            }
        }
        if (put.stream().anyMatch(name -> !present.contains(name)) && !model.relationships().isEmpty()) {
            warn(warnings, "tables added to an existing dataset get no relationships (Power BI sets them only at "
                    + "creation); to get them: " + SchemaDiff.MISSING_TABLE_FIX);
        }
        return new Provisioned(datasetId, false, put, warnings);
    }

    /**
     * PUTs a table the dataset lacks. The reference documents PUT for existing tables only (powerbi-api.md §2.6);
     * where the service answers 404 the table cannot be added, which is a warning, not a failure: the other
     * tables still get rows, and the pusher blocks this one with the same fix.
     */
    private boolean putMissing(String workspaceId, String datasetId, Table table, List<String> warnings) {
        try {
            client.putTable(workspaceId, datasetId, table);
            return true;
        } catch (PowerBiApiException e) {
            if (e.status() != 404) {
                throw e;
            }
            warn(warnings, "dataset " + datasetId + " has no table '" + table.name() + "' and Power BI refused to add it ("
                    + e.getMessage() + "); fix: " + SchemaDiff.MISSING_TABLE_FIX);
            return false;
        }
    }

    /** The dataset with the model's name; with duplicates, the oldest, and a warning naming the others. */
    private Optional<DatasetInfo> pick(String workspaceId, DatasetModel model, List<String> warnings) {
        List<DatasetInfo> named = client.findDatasetsByName(workspaceId, model.datasetName());
        if (named.size() > 1) {
            warn(warnings, named.size() + " datasets are named '" + model.datasetName() + "' in workspace "
                    + workspaceId + "; using the oldest, " + named.get(0).id() + "; not using "
                    + PushDatasetClient.joinNames(named.subList(1, named.size()))
                    + " (delete them in Power BI if they are leftovers)");
        }
        return named.stream().findFirst();
    }

    private static void warn(List<String> warnings, String warning) {
        LOG.warn(warning);
        warnings.add(warning);
    }
}
