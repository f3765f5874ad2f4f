package io.mlconnector.powerbi;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.mapping.DatasetModel.Column;
import io.mlconnector.mapping.DatasetModel.DataType;
import io.mlconnector.mapping.DatasetModel.Table;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Compares {@link DatasetModel} with what the Power BI service has (DESIGN §5 "Schema"). Each
 * difference says what is wrong in words and the command that fixes it; differences that would make
 * pushes to a table fail {@linkplain Difference#blocksPushes() block} that table.
 */
public final class SchemaDiff {

    /** PUTs every table's columns and measures; a running connector retries blocked tables within 30 s. */
    public static final String FIX_COMMAND = "mlc dataset sync";

    /** Creates the dataset from the mapping when the workspace has none with its name. */
    public static final String CREATE_COMMAND = "mlc dataset create";

    /** The connector pushes to the dataset id it found at start, so a re-created dataset needs a restart. */
    public static final String MISSING_DATASET_FIX = CREATE_COMMAND + " (creates it with all tables, measures and "
            + "relationships), then restart the connector if it runs (it pushes to the dataset it found at start)";

    /**
     * A table can only be added by creating the dataset: the reference documents PUT table for existing tables
     * (powerbi-api.md §2.6) and the simulator answers a PUT of a missing table with 404, so sync cannot add it.
     * Nothing re-sends rows the deleted dataset held (there is no compact or reload command), so the fix says how
     * to get them back: a fresh store, whose backfill pushes every current record.
     */
    public static final String MISSING_TABLE_FIX = "delete the dataset in Power BI, run " + CREATE_COMMAND
            + " (re-creates it with every table, measure and relationship; Power BI adds tables to a push dataset "
            + "only when it is created), then restart the connector; rows pushed before are not sent again, so to "
            + "reload them start the connector on an empty store and connect the businesses again (the backfill "
            + "pushes every current record)";

    public enum Kind {
        MISSING_DATASET, MISSING_TABLE, EXTRA_TABLE, MISSING_COLUMN, EXTRA_COLUMN, COLUMN_TYPE_DIFFERS, COLUMN_REJECTED
    }

    /** {@code table} and {@code column} are null where they do not apply. */
    public record Difference(Kind kind, String table, String column, String description, String fix) {

        /** Extra tables and columns in the service are harmless: we never write them. */
        public boolean blocksPushes() {
            return kind != Kind.EXTRA_TABLE && kind != Kind.EXTRA_COLUMN;
        }

        @Override
        public String toString() {
            return description + " — fix: " + fix;
        }
    }

    private static final Pattern QUOTED = Pattern.compile("['\"`\u2018\u2019\u201C\u201D\\[]([^'\"`\u2018\u2019\u201C\u201D\\[\\]]{1,200})['\"`\u2018\u2019\u201C\u201D\\]]");

    private SchemaDiff() {
    }

    /**
     * @param serviceTables the dataset's tables as listed by the service, or empty when no dataset with
     *                      the model's name exists in the workspace
     */
    public static List<Difference> compare(DatasetModel model, Optional<List<TableInfo>> serviceTables) {
        List<Difference> differences = new ArrayList<>();
        if (serviceTables.isEmpty()) {
            differences.add(new Difference(Kind.MISSING_DATASET, null, null,
                    "dataset '" + model.datasetName() + "' does not exist in the workspace",
                    MISSING_DATASET_FIX));
            return differences;
        }
        Map<String, TableInfo> byName = serviceTables.get().stream()
                .collect(Collectors.toMap(TableInfo::name, Function.identity(), (a, b) -> a));
        for (Table table : model.tables()) {
            TableInfo service = byName.get(table.name());
            if (service == null) {
                differences.add(new Difference(Kind.MISSING_TABLE, table.name(), null,
                        "dataset '" + model.datasetName() + "' has no table '" + table.name() + "'",
                        MISSING_TABLE_FIX));
            } else {
                service.columns().ifPresent(columns -> differences.addAll(compareColumns(table, columns)));
            }
        }
        Set<String> modelTables = Set.copyOf(model.tableNames());
        for (TableInfo service : serviceTables.get()) {
            if (!modelTables.contains(service.name())) {
                differences.add(new Difference(Kind.EXTRA_TABLE, service.name(), null,
                        "dataset '" + model.datasetName() + "' has a table '" + service.name()
                                + "' the connector does not write (harmless)",
                        "none needed (Power BI removes a table only with its dataset)"));
            }
        }
        return differences;
    }

    /** Column differences of one table whose columns the service reported. */
    public static List<Difference> compareColumns(Table table, List<TableInfo.ColumnInfo> serviceColumns) {
        List<Difference> differences = new ArrayList<>();
        Map<String, TableInfo.ColumnInfo> byName = serviceColumns.stream()
                .collect(Collectors.toMap(TableInfo.ColumnInfo::name, Function.identity(), (a, b) -> a));
        for (Column column : table.columns()) {
            TableInfo.ColumnInfo service = byName.get(column.name());
            if (service == null) {
                differences.add(new Difference(Kind.MISSING_COLUMN, table.name(), column.name(),
                        "table '" + table.name() + "' has no column '" + column.name() + "' ("
                                + column.dataType().powerBiName() + ")",
                        FIX_COMMAND + " (puts the table's schema from the model)"));
            } else if (DataType.fromPowerBiName(service.dataType()).orElse(null) != column.dataType()) {
                differences.add(new Difference(Kind.COLUMN_TYPE_DIFFERS, table.name(), column.name(),
                        "column '" + table.name() + "." + column.name() + "' is " + service.dataType()
                                + " in Power BI but " + column.dataType().powerBiName() + " in the model",
                        FIX_COMMAND + " (puts the table's schema from the model)"));
            }
        }
        Set<String> modelColumns = Set.copyOf(table.columnNames());
        for (TableInfo.ColumnInfo service : serviceColumns) {
            if (!modelColumns.contains(service.name())) {
                differences.add(new Difference(Kind.EXTRA_COLUMN, table.name(), service.name(),
                        "table '" + table.name() + "' has a column '" + service.name()
                                + "' the connector does not write (it stays blank)",
                        "none needed; " + FIX_COMMAND + " puts the model's column list"));
            }
        }
        return differences;
    }

    /**
     * What a 400 from POST rows says about the schema: each quoted name in the message that is a
     * column of the table (or a name the model does not know) becomes a difference. Power BI's
     * wording for these errors is not documented (powerbi-api.md §3.2), so this only reads names in
     * quotes or brackets and otherwise reports the whole message against the table.
     */
    public static List<Difference> fromRowsRejection(DatasetModel model, String tableName, PostRowsResult.Rejected rejected) {
        String message = rejected.message() != null ? rejected.message() : "";
        String reason = "Power BI rejected rows for table '" + tableName + "' (HTTP " + rejected.status()
                + (rejected.code() != null ? " " + rejected.code() : "") + ": " + message + ")";
        Optional<Table> table = model.table(tableName);
        if (table.isEmpty()) {
            return List.of(new Difference(Kind.MISSING_TABLE, tableName, null,
                    reason + "; the model has no such table", "check that the connector's version matches the dataset; then " + FIX_COMMAND));
        }
        Set<String> names = new LinkedHashSet<>();
        Matcher m = QUOTED.matcher(message);
        while (m.find()) {
            names.add(m.group(1).trim());
        }
        names.remove(tableName);
        List<Difference> differences = new ArrayList<>();
        for (String name : names) {
            if (table.get().column(name).isPresent()) {
                differences.add(new Difference(Kind.COLUMN_REJECTED, tableName, name,
                        reason + "; column '" + name + "' is missing or typed differently in Power BI",
                        FIX_COMMAND + " (puts the table's schema from the model)"));
            }
        }
        if (differences.isEmpty()) {
            differences.add(new Difference(Kind.COLUMN_REJECTED, tableName, null, reason,
                    FIX_COMMAND + " (puts the table's schema from the model); if it persists, the rows break a "
                            + "Power BI limit (see the quarantine reason)"));
        }
        return differences;
    }
}
