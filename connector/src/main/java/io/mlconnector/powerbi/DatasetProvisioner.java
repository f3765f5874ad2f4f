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
 *
 * <p>With {@code powerbi.dataset-id} set, the dataset is adopted instead: it must be in the workspace, it is never
 * created, and how its tables differ from the mapping is reported in the warnings. Where Power BI refuses to create a
 * dataset (the retirement of push datasets, powerbi-api.md §6, §8), adopting one is the way on; both failures are a
 * {@link NoDatasetException} saying so.
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

    /** What to do when creation is refused; also the fix for an adopted dataset's missing table. */
    static final String ADOPT_FIX = "Create a push dataset with the mapping's tables another way (with a tool or "
            + "tenant that still allows it; an earlier install's dataset does too) and set its id in powerbi.dataset-id "
            + "(ML_CONNECTOR_POWERBI_DATASET_ID); the connector then adopts it and fills it from its ledger.";

    private final PushDatasetClient client;
    private final RetentionPolicy retentionPolicy;
    private final String adoptedDatasetId; // null: find by name, or create

    /** Finds the dataset by the model's name, or creates it. */
    public DatasetProvisioner(PushDatasetClient client, RetentionPolicy retentionPolicy) {
        this(client, retentionPolicy, null);
    }

    /** @param adoptedDatasetId {@code powerbi.dataset-id}: the dataset to use, never create; null finds by name */
    public DatasetProvisioner(PushDatasetClient client, RetentionPolicy retentionPolicy, String adoptedDatasetId) {
        this.client = Objects.requireNonNull(client, "client");
        this.retentionPolicy = Objects.requireNonNull(retentionPolicy, "retentionPolicy");
        this.adoptedDatasetId = adoptedDatasetId;
    }

    /** The dataset {@code powerbi.dataset-id} names, if one is adopted. */
    public Optional<String> adoptedDatasetId() {
        return Optional.ofNullable(adoptedDatasetId);
    }

    /** The fix for a table the dataset lacks: an adopted dataset cannot be re-created by us. */
    public String missingTableFix() {
        return adoptedDatasetId == null ? SchemaDiff.MISSING_TABLE_FIX : ADOPT_FIX;
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
        if (adoptedDatasetId != null) {
            DatasetInfo adopted = adopted(workspaceId);
            return forAdopted(SchemaDiff.compare(model, Optional.of(client.getTables(workspaceId, adopted.id()))));
        }
        Optional<DatasetInfo> dataset = pick(workspaceId, model, new ArrayList<>());
        return SchemaDiff.compare(model, dataset.map(d -> client.getTables(workspaceId, d.id())));
    }

    private Provisioned provision(String workspaceId, DatasetModel model, boolean putEveryTable) {
        List<String> warnings = new ArrayList<>();
        Optional<DatasetInfo> existing = adoptedDatasetId != null ? Optional.of(adopted(workspaceId))
                : pick(workspaceId, model, warnings);
        if (existing.isEmpty()) {
            return new Provisioned(create(workspaceId, model).id(), true, List.of(), warnings);
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
        if (adoptedDatasetId != null) {
            // Read again after the PUTs: what is reported is what still differs.
            for (SchemaDiff.Difference d : forAdopted(SchemaDiff.compare(model,
                    Optional.of(client.getTables(workspaceId, datasetId))))) {
                warn(warnings, "adopted dataset " + datasetId + " differs from the mapping: " + d);
            }
        }
        return new Provisioned(datasetId, false, put, warnings);
    }

    /** The adopted dataset, which must be in the workspace. */
    private DatasetInfo adopted(String workspaceId) {
        List<DatasetInfo> all = client.listDatasets(workspaceId);
        return all.stream().filter(d -> d.id().equalsIgnoreCase(adoptedDatasetId)).findFirst().orElseThrow(() ->
                new NoDatasetException("dataset " + adoptedDatasetId + " (powerbi.dataset-id) is not in workspace "
                        + workspaceId + (all.isEmpty() ? ", which has no datasets." : "; it has: " + all.stream()
                        .map(d -> "'" + d.name() + "' " + d.id()).collect(Collectors.joining(", ")) + "."),
                        "Set powerbi.dataset-id to the id of a push dataset in that workspace (the service principal "
                                + "must be a member of it), or remove it to have the connector find the dataset by "
                                + "powerbi.dataset-name, or create it.", null));
    }

    /**
     * Creates the dataset. A refusal that no retry changes (FeatureDeprecatedError, or 403 on POST datasets) means
     * the user must bring a dataset: a {@link NoDatasetException} says how.
     */
    private DatasetInfo create(String workspaceId, DatasetModel model) {
        try {
            return client.createDataset(workspaceId, model, retentionPolicy);
        } catch (PowerBiApiException e) {
            boolean deprecated = "FeatureDeprecatedError".equals(e.code());
            if (!deprecated && e.status() != 403) {
                throw e;
            }
            throw new NoDatasetException("Power BI refused to create dataset '" + model.datasetName() + "' in workspace "
                    + workspaceId + " (" + e.getMessage() + ").",
                    deprecated ? ADOPT_FIX : "If the service principal (powerbi.client-id) is a Viewer of the workspace, "
                            + "make it a Member or Contributor; otherwise: " + ADOPT_FIX, e);
        }
    }

    /** An adopted dataset's missing table cannot be fixed by re-creating the dataset: the fix says so. */
    private static List<SchemaDiff.Difference> forAdopted(List<SchemaDiff.Difference> differences) {
        return differences.stream().map(d -> d.kind() != SchemaDiff.Kind.MISSING_TABLE ? d
                : new SchemaDiff.Difference(d.kind(), d.table(), d.column(), d.description(), ADOPT_FIX)).toList();
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
