package io.mlconnector.sim.powerbi;

import io.mlconnector.sim.powerbi.DatasetDefinition.Column;
import io.mlconnector.sim.powerbi.DatasetDefinition.Measure;
import io.mlconnector.sim.powerbi.DatasetDefinition.Relationship;
import io.mlconnector.sim.powerbi.DatasetDefinition.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Pure checks of a create-dataset or PUT-table body against the object model and limits (reference
 * powerbi-api.md §2.2, §2.3, §4). Every failure is a 400 InvalidRequest naming the offending element.
 * Names are compared case-insensitively for uniqueness, as the tabular engine does.
 */
public final class SchemaValidator {
    /** Table and relationship names (swagger pattern): 1–100 chars, no {@code ! " $ % & ' ( ) * + , . / : ; < = > ? [ \ ] { | }} or backtick. */
    static final Pattern TABLE_NAME = Pattern.compile(
            "^[\\t\\n\\r #\\-0-9@-Z^_a-z~-\\x{D7FF}\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}]{1,100}$");
    /** Column names (swagger pattern): any printable character, at least one. */
    static final Pattern COLUMN_NAME = Pattern.compile(
            "^[\\t\\n\\r\\x{20}-\\x{D7FF}\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}]+$");
    private static final Set<String> PUSH_MODES = Set.of("Push", "PushStreaming");
    private static final Set<String> ALL_MODES = Set.of("AsAzure", "AsOnPrem", "Push", "Streaming", "PushStreaming");
    private static final List<String> CROSS_FILTERING = List.of("OneDirection", "BothDirections", "Automatic");

    private final PushLimits limits;

    public SchemaValidator(PushLimits limits) {
        this.limits = limits;
    }

    /** A create-dataset body ({@code name}, {@code tables}, optional {@code defaultMode}, {@code relationships}). */
    public DatasetDefinition dataset(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw invalid("The request body must be a JSON object with 'name' and 'tables'.");
        }
        String name = requiredString(body, "name", "dataset");
        String mode = "Push";
        JsonNode modeNode = body.get("defaultMode");
        if (modeNode != null && !modeNode.isNull()) {
            mode = ALL_MODES.stream().filter(m -> m.equalsIgnoreCase(modeNode.asString())).findFirst()
                    .orElseThrow(() -> invalid("defaultMode '" + modeNode.asString() + "' is not one of " + ALL_MODES + "."));
            if (!PUSH_MODES.contains(mode)) {
                throw invalid("defaultMode '" + mode + "' is not a push dataset; the simulator supports " + PUSH_MODES + ".");
            }
        }
        JsonNode tablesNode = body.get("tables");
        if (tablesNode == null || !tablesNode.isArray() || tablesNode.isEmpty()) {
            throw invalid("Dataset '" + name + "' must have a non-empty 'tables' array.");
        }
        if (tablesNode.size() > limits.maxTables()) {
            throw invalid("Dataset '" + name + "' has " + tablesNode.size() + " tables; at most "
                    + limits.maxTables() + " are allowed.");
        }
        List<Table> tables = new ArrayList<>();
        Set<String> tableNames = new HashSet<>();
        for (int i = 0; i < tablesNode.size(); i++) {
            Table table = table(tablesNode.get(i), "tables[" + i + "]");
            if (!tableNames.add(table.name().toLowerCase(Locale.ROOT))) {
                throw invalid("Table name '" + table.name() + "' is used twice.");
            }
            tables.add(table);
        }
        List<Relationship> relationships = relationships(body.get("relationships"), tables);
        return new DatasetDefinition(name, mode, List.copyOf(tables), relationships);
    }

    /** A table object, as in a create body or a PUT table body. */
    public Table table(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a JSON object.");
        }
        String name = requiredString(node, "name", where);
        if (!TABLE_NAME.matcher(name).matches()) {
            throw invalid("Table name '" + name + "' is not valid: 1-100 characters, none of !\"$%&'()*+,./:;<=>?[\\]{|}`.");
        }
        JsonNode columnsNode = node.get("columns");
        if (columnsNode == null || !columnsNode.isArray() || columnsNode.isEmpty()) {
            throw invalid("Table '" + name + "' must have a non-empty 'columns' array.");
        }
        if (columnsNode.size() > limits.maxColumns()) {
            throw invalid("Table '" + name + "' has " + columnsNode.size() + " columns; at most "
                    + limits.maxColumns() + " are allowed.");
        }
        Set<String> names = new HashSet<>();
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < columnsNode.size(); i++) {
            Column column = column(columnsNode.get(i), name, i);
            if (!names.add(column.name().toLowerCase(Locale.ROOT))) {
                throw invalid("Table '" + name + "': column name '" + column.name() + "' is used twice.");
            }
            columns.add(column);
        }
        for (Column column : columns) {
            if (column.sortByColumn() != null && columns.stream().noneMatch(c -> c.name().equals(column.sortByColumn()))) {
                throw invalid("Table '" + name + "': sortByColumn '" + column.sortByColumn() + "' of column '"
                        + column.name() + "' is not a column of the table.");
            }
        }
        List<Measure> measures = new ArrayList<>();
        JsonNode measuresNode = node.get("measures");
        if (measuresNode != null && !measuresNode.isNull()) {
            if (!measuresNode.isArray()) {
                throw invalid("Table '" + name + "': 'measures' must be an array.");
            }
            for (int i = 0; i < measuresNode.size(); i++) {
                Measure measure = measure(measuresNode.get(i), name, i);
                if (!names.add(measure.name().toLowerCase(Locale.ROOT))) {
                    throw invalid("Table '" + name + "': measure name '" + measure.name()
                            + "' is already used by a column or measure.");
                }
                measures.add(measure);
            }
        }
        return new Table(name, List.copyOf(columns), List.copyOf(measures));
    }

    private Column column(JsonNode node, String table, int index) {
        String where = "Table '" + table + "' columns[" + index + "]";
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a JSON object.");
        }
        String name = requiredString(node, "name", where);
        if (!COLUMN_NAME.matcher(name).matches()) {
            throw invalid(where + ": column name '" + name + "' contains characters that are not allowed.");
        }
        JsonNode typeNode = node.get("dataType");
        if (typeNode == null || !typeNode.isString()) {
            throw invalid("Table '" + table + "', column '" + name + "': 'dataType' is required.");
        }
        DataType type = DataType.parse(typeNode.asString()).orElseThrow(() -> invalid("Table '" + table
                + "', column '" + name + "': dataType '" + typeNode.asString()
                + "' is not one of Int64, Double, Decimal, Boolean, DateTime, String."));
        return new Column(name, type, optionalString(node, "formatString"), optionalString(node, "sortByColumn"),
                node.path("isHidden").asBoolean(false));
    }

    private Measure measure(JsonNode node, String table, int index) {
        String where = "Table '" + table + "' measures[" + index + "]";
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a JSON object.");
        }
        String name = requiredString(node, "name", where);
        String expression = requiredString(node, "expression", where + " ('" + name + "')");
        return new Measure(name, expression, optionalString(node, "formatString"), node.path("isHidden").asBoolean(false));
    }

    private List<Relationship> relationships(JsonNode node, List<Table> tables) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid("'relationships' must be an array.");
        }
        if (node.size() > limits.maxRelationships()) {
            throw invalid("The dataset has " + node.size() + " relationships; at most "
                    + limits.maxRelationships() + " are allowed.");
        }
        List<Relationship> relationships = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            String where = "relationships[" + i + "]";
            if (r == null || !r.isObject()) {
                throw invalid(where + " must be a JSON object.");
            }
            String name = requiredString(r, "name", where);
            if (!TABLE_NAME.matcher(name).matches()) {
                throw invalid("Relationship name '" + name + "' is not valid: 1-100 characters, none of !\"$%&'()*+,./:;<=>?[\\]{|}`.");
            }
            if (!names.add(name.toLowerCase(Locale.ROOT))) {
                throw invalid("Relationship name '" + name + "' is used twice.");
            }
            String fromTable = requiredString(r, "fromTable", "Relationship '" + name + "'");
            String fromColumn = requiredString(r, "fromColumn", "Relationship '" + name + "'");
            String toTable = requiredString(r, "toTable", "Relationship '" + name + "'");
            String toColumn = requiredString(r, "toColumn", "Relationship '" + name + "'");
            requireColumn(tables, name, fromTable, fromColumn);
            requireColumn(tables, name, toTable, toColumn);
            String behaviour = "OneDirection";
            String sent = optionalString(r, "crossFilteringBehavior");
            if (sent != null) {
                behaviour = CROSS_FILTERING.stream().filter(b -> b.equalsIgnoreCase(sent)).findFirst()
                        .orElseThrow(() -> invalid("Relationship '" + name + "': crossFilteringBehavior '" + sent
                                + "' is not one of " + CROSS_FILTERING + "."));
            }
            relationships.add(new Relationship(name, fromTable, fromColumn, toTable, toColumn, behaviour));
        }
        return List.copyOf(relationships);
    }

    private static void requireColumn(List<Table> tables, String relationship, String table, String column) {
        Table found = tables.stream().filter(t -> t.name().equals(table)).findFirst()
                .orElseThrow(() -> invalid("Relationship '" + relationship + "' refers to table '" + table
                        + "', which is not in the dataset."));
        if (found.column(column).isEmpty()) {
            throw invalid("Relationship '" + relationship + "' refers to column '" + column + "' of table '"
                    + table + "', which does not exist.");
        }
    }

    private static String requiredString(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw invalid(where + ": '" + field + "' is required and must be a non-empty string.");
        }
        return value.asString();
    }

    private static String optionalString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static PowerBiApiException invalid(String message) {
        return PowerBiApiException.invalidRequest(message);
    }
}
