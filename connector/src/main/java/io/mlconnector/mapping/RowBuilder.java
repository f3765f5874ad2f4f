package io.mlconnector.mapping;

import io.mlconnector.mapping.DatasetModel.Column;
import io.mlconnector.mapping.DatasetModel.Table;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fills one row of a {@link Table}, refusing unknown columns and values of the wrong Java type, so a
 * mapper cannot drift from {@link DatasetModel}. Columns left unset are null (blank in Power BI).
 */
public final class RowBuilder {

    private final Table table;
    private final String rowKey;
    private final Map<String, Object> values = new LinkedHashMap<>();

    RowBuilder(Table table, String rowKey) {
        this.table = table;
        this.rowKey = rowKey;
        for (Column c : table.mappedColumns()) {
            values.put(c.name(), null);
        }
    }

    public RowBuilder set(String column, Object value) {
        if (!values.containsKey(column)) {
            throw new IllegalArgumentException("table " + table.name() + " has no mapped column " + column);
        }
        if (value != null) {
            Class<?> expected = table.column(column).orElseThrow().dataType().javaType();
            if (!expected.isInstance(value)) {
                throw new IllegalArgumentException(table.name() + "." + column + " wants " + expected.getSimpleName()
                        + ", got " + value.getClass().getSimpleName());
            }
        }
        values.put(column, value);
        return this;
    }

    public Row build() {
        return new Row(table.name(), rowKey, values);
    }
}
