package io.mlconnector.sim.powerbi;

import java.util.List;
import java.util.Optional;

/** A validated push-dataset schema (reference powerbi-api.md §2.3): tables, columns, measures, relationships. */
public record DatasetDefinition(String name, String defaultMode, List<Table> tables, List<Relationship> relationships) {

    public record Column(String name, DataType dataType, String formatString, String sortByColumn, boolean isHidden) {}

    public record Measure(String name, String expression, String formatString, boolean isHidden) {}

    public record Table(String name, List<Column> columns, List<Measure> measures) {
        public Optional<Column> column(String columnName) {
            return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
        }
    }

    public record Relationship(String name, String fromTable, String fromColumn, String toTable, String toColumn,
                               String crossFilteringBehavior) {
        boolean uses(String table, String column) {
            return (fromTable.equals(table) && fromColumn.equals(column)) || (toTable.equals(table) && toColumn.equals(column));
        }
    }

    public Optional<Table> table(String tableName) {
        return tables.stream().filter(t -> t.name().equals(tableName)).findFirst();
    }
}
