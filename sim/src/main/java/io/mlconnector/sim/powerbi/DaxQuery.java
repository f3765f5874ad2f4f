package io.mlconnector.sim.powerbi;

import io.mlconnector.sim.powerbi.DatasetDefinition.Column;
import io.mlconnector.sim.powerbi.DatasetDefinition.Table;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few DAX queries the connector sends to Execute Queries (reference powerbi-api.md §8), parsed strictly; any
 * other text is refused as a DAX error (400 DatasetExecuteQueriesError), so a connector cannot come to rely on DAX
 * the simulator does not really evaluate. The grammar (keywords case-insensitive, as in DAX):
 *
 * <pre>
 * query     := EVALUATE ROW( name , aggregate { , name , aggregate } )
 * name      := "text"                                  -- answered as the key "[text]"
 * aggregate := COUNTROWS( table )
 *            | SUM( column )
 *            | SUMX( table , column [ * column ] )      -- columns of the iterated table
 * table     := 'name' | FILTER( 'name' , column = "text" )   -- the filter column is of that table
 * column    := 'table'[column]
 * </pre>
 *
 * Quoting as in DAX: {@code ''} is a quote inside a table name, {@code ]]} a bracket inside a column name,
 * {@code ""} a quote inside a string. Evaluation follows DAX where it matters to a caller: names and {@code =} on
 * text are case-insensitive; an aggregate over no rows (or only blank values) is BLANK, not 0, which the answer
 * shows as {@code null} with {@code includeNulls} and leaves out otherwise; {@code BLANK * x} is BLANK and SUMX skips
 * it. Sums are exact (BigDecimal) and rendered as JSON numbers.
 */
final class DaxQuery {
    private static final String NAME = "'((?:[^']|'')+)'";
    private static final String COLUMN = NAME + "\\[((?:[^\\]]|\\]\\])+)\\]";
    private static final String TEXT = "\"((?:[^\"]|\"\")*)\"";
    private static final Pattern SPACE = Pattern.compile("\\s*");
    private static final Pattern START = Pattern.compile("EVALUATE\\s+ROW\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Pattern OUTPUT_NAME = Pattern.compile(TEXT + "\\s*,");
    private static final Pattern COUNTROWS = Pattern.compile("COUNTROWS\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Pattern SUMX = Pattern.compile("SUMX\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Pattern SUM = Pattern.compile("SUM\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Pattern FILTER = Pattern.compile("FILTER\\s*\\(\\s*" + NAME + "\\s*,\\s*" + COLUMN + "\\s*=\\s*"
            + TEXT + "\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TABLE = Pattern.compile(NAME);
    private static final Pattern COLUMN_REF = Pattern.compile(COLUMN);
    private static final Pattern COMMA = Pattern.compile(",");
    private static final Pattern TIMES = Pattern.compile("\\*");
    private static final Pattern CLOSE = Pattern.compile("\\)");

    record ColumnRef(String table, String column) {
        @Override
        public String toString() {
            return "'" + table + "'[" + column + "]";
        }
    }

    /** A whole table, or its rows whose {@code filterColumn} equals {@code filterValue} (null column = no filter). */
    record TableRef(String table, ColumnRef filterColumn, String filterValue) {}

    sealed interface Aggregate permits CountRows, Sum, SumX {}

    record CountRows(TableRef table) implements Aggregate {}

    record Sum(ColumnRef column) implements Aggregate {}

    /** {@code factor2} null = SUMX over one column. */
    record SumX(TableRef table, ColumnRef factor1, ColumnRef factor2) implements Aggregate {}

    record Output(String name, Aggregate aggregate) {}

    private final List<Output> outputs;

    private DaxQuery(List<Output> outputs) {
        this.outputs = outputs;
    }

    List<Output> outputs() {
        return outputs;
    }

    // ---- parsing ----

    /** @throws PowerBiApiException a 400 DAX error for anything outside the grammar */
    static DaxQuery parse(String query) {
        Cursor cursor = new Cursor(query);
        cursor.expect(START, "EVALUATE ROW(");
        List<Output> outputs = new ArrayList<>();
        do {
            String name = unquote(cursor.expect(OUTPUT_NAME, "a column name in double quotes followed by ','").group(1), '"');
            if (name.isEmpty() || outputs.stream().anyMatch(o -> o.name().equalsIgnoreCase(name))) {
                throw PowerBiApiException.daxError("Query: the column name \"" + name + "\" is empty or used twice in ROW.");
            }
            outputs.add(new Output(name, aggregate(cursor)));
        } while (cursor.accept(COMMA) != null);
        cursor.expect(CLOSE, "')' closing ROW");
        cursor.end();
        return new DaxQuery(List.copyOf(outputs));
    }

    private static Aggregate aggregate(Cursor cursor) {
        if (cursor.accept(COUNTROWS) != null) {
            TableRef table = table(cursor);
            cursor.expect(CLOSE, "')' closing COUNTROWS");
            return new CountRows(table);
        }
        if (cursor.accept(SUMX) != null) { // before SUM, which is its prefix
            TableRef table = table(cursor);
            cursor.expect(COMMA, "',' after the table of SUMX");
            ColumnRef factor1 = column(cursor);
            ColumnRef factor2 = cursor.accept(TIMES) == null ? null : column(cursor);
            cursor.expect(CLOSE, "')' closing SUMX");
            for (ColumnRef factor : factor2 == null ? List.of(factor1) : List.of(factor1, factor2)) {
                if (!factor.table().equalsIgnoreCase(table.table())) {
                    throw PowerBiApiException.daxError("Query: SUMX iterates '" + table.table() + "' but its expression uses "
                            + factor + " of another table.");
                }
            }
            return new SumX(table, factor1, factor2);
        }
        if (cursor.accept(SUM) != null) {
            ColumnRef column = column(cursor);
            cursor.expect(CLOSE, "')' closing SUM");
            return new Sum(column);
        }
        throw cursor.unexpected("COUNTROWS(, SUM( or SUMX(");
    }

    private static TableRef table(Cursor cursor) {
        Matcher filter = cursor.accept(FILTER);
        if (filter != null) {
            String table = unquote(filter.group(1), '\'');
            ColumnRef column = new ColumnRef(unquote(filter.group(2), '\''), unquote(filter.group(3), ']'));
            if (!column.table().equalsIgnoreCase(table)) {
                throw PowerBiApiException.daxError("Query: FILTER over '" + table + "' compares " + column
                        + " of another table.");
            }
            return new TableRef(table, column, unquote(filter.group(4), '"'));
        }
        return new TableRef(unquote(cursor.expect(TABLE, "a table name in single quotes or FILTER(").group(1), '\''), null, null);
    }

    private static ColumnRef column(Cursor cursor) {
        Matcher m = cursor.expect(COLUMN_REF, "a column reference 'table'[column]");
        return new ColumnRef(unquote(m.group(1), '\''), unquote(m.group(2), ']'));
    }

    private static String unquote(String text, char quote) {
        return text.replace(String.valueOf(quote) + quote, String.valueOf(quote));
    }

    /** Matches one pattern after another from the left, skipping white space in between. */
    private static final class Cursor {
        private final String text;
        private int position;

        Cursor(String text) {
            this.text = text;
        }

        Matcher accept(Pattern pattern) {
            skipSpace();
            Matcher m = pattern.matcher(text).region(position, text.length());
            if (!m.lookingAt()) {
                return null;
            }
            position = m.end();
            return m;
        }

        Matcher expect(Pattern pattern, String what) {
            Matcher m = accept(pattern);
            if (m == null) {
                throw unexpected(what);
            }
            return m;
        }

        void end() {
            skipSpace();
            if (position != text.length()) {
                throw unexpected("the end of the query");
            }
        }

        PowerBiApiException unexpected(String what) {
            String rest = text.substring(position);
            String shown = rest.length() > 40 ? rest.substring(0, 40) + "..." : rest;
            return PowerBiApiException.daxError("Query (1, " + (position + 1) + ") The syntax for '" + shown
                    + "' is incorrect; the simulator expected " + what + ". It runs only the query shapes the"
                    + " connector uses (see DaxQuery).");
        }

        private void skipSpace() {
            Matcher m = SPACE.matcher(text).region(position, text.length());
            if (m.lookingAt()) {
                position = m.end();
            }
        }
    }

    // ---- evaluation ----

    /**
     * @param rowsOf a table's stored rows by its name as defined
     * @return the single result row: {@code "[name]"} to a number, or to null (BLANK) when {@code includeNulls}
     */
    Map<String, Object> evaluate(DatasetDefinition definition, java.util.function.Function<String, List<StoredRow>> rowsOf,
                                 boolean includeNulls) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Output output : outputs) {
            BigDecimal value = value(definition, rowsOf, output.aggregate());
            if (value != null) {
                row.put("[" + output.name() + "]", plain(value));
            } else if (includeNulls) {
                row.put("[" + output.name() + "]", null);
            }
        }
        return row;
    }

    private record Resolved(Table table, Column column) {}

    private static BigDecimal value(DatasetDefinition definition, java.util.function.Function<String, List<StoredRow>> rowsOf,
                                    Aggregate aggregate) {
        if (aggregate instanceof CountRows c) {
            int count = rows(definition, rowsOf, c.table()).size();
            return count == 0 ? null : BigDecimal.valueOf(count);
        }
        if (aggregate instanceof Sum s) {
            Resolved column = numeric(definition, s.column(), "SUM");
            return sum(rowsOf.apply(column.table().name()), column, null);
        }
        SumX x = (SumX) aggregate;
        Resolved factor1 = numeric(definition, x.factor1(), "SUMX");
        Resolved factor2 = x.factor2() == null ? null : numeric(definition, x.factor2(), "SUMX");
        return sum(rows(definition, rowsOf, x.table()), factor1, factor2);
    }

    private static List<StoredRow> rows(DatasetDefinition definition, java.util.function.Function<String, List<StoredRow>> rowsOf,
                                        TableRef ref) {
        Table table = table(definition, ref.table());
        List<StoredRow> rows = rowsOf.apply(table.name());
        if (ref.filterColumn() == null) {
            return rows;
        }
        Resolved column = column(definition, ref.filterColumn());
        if (column.column().dataType() != DataType.STRING) {
            throw PowerBiApiException.daxError("DAX comparison operations do not support comparing values of type "
                    + daxType(column.column().dataType()) + " with values of type Text. Consider using the VALUE or"
                    + " FORMAT function to convert one of the values.");
        }
        // DAX compares text case-insensitively; a blank cell equals no non-empty text.
        return rows.stream().filter(r -> r.values().get(column.column().name()) instanceof String s
                && s.equalsIgnoreCase(ref.filterValue())).toList();
    }

    /** Sum of the values (or of the products of two values) over the rows; blanks skipped; BLANK (null) if none. */
    private static BigDecimal sum(List<StoredRow> rows, Resolved factor1, Resolved factor2) {
        BigDecimal total = null;
        for (StoredRow row : rows) {
            BigDecimal value = number(row.values().get(factor1.column().name()));
            if (value != null && factor2 != null) {
                BigDecimal other = number(row.values().get(factor2.column().name()));
                value = other == null ? null : value.multiply(other);
            }
            if (value != null) {
                total = total == null ? value : total.add(value);
            }
        }
        return total;
    }

    private static BigDecimal number(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Long l) {
            return BigDecimal.valueOf(l);
        }
        if (value instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        throw new IllegalStateException("not a number: " + value);
    }

    private static Resolved numeric(DatasetDefinition definition, ColumnRef ref, String function) {
        Resolved resolved = column(definition, ref);
        DataType type = resolved.column().dataType();
        if (type != DataType.INT64 && type != DataType.DOUBLE && type != DataType.DECIMAL) {
            throw PowerBiApiException.daxError("The function " + function + " cannot work with values of type "
                    + daxType(type) + ".");
        }
        return resolved;
    }

    private static Table table(DatasetDefinition definition, String name) {
        return definition.tables().stream().filter(t -> t.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> PowerBiApiException.daxError("Cannot find table '" + name + "'."));
    }

    private static Resolved column(DatasetDefinition definition, ColumnRef ref) {
        Table table = table(definition, ref.table());
        Optional<Column> column = table.columns().stream().filter(c -> c.name().equalsIgnoreCase(ref.column())).findFirst();
        return new Resolved(table, column.orElseThrow(() -> PowerBiApiException.daxError("Column '" + ref.column()
                + "' in table '" + ref.table() + "' cannot be found or may not be used in this expression.")));
    }

    private static String daxType(DataType type) {
        return switch (type) {
            case INT64 -> "Integer";
            case DOUBLE -> "Number";
            case DECIMAL -> "Currency";
            case BOOLEAN -> "True/False";
            case DATETIME -> "Date";
            case STRING -> "String";
        };
    }

    /** Without trailing zeros and never in exponent form, so Jackson writes e.g. {@code 12.5} and {@code 300}. */
    private static BigDecimal plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
