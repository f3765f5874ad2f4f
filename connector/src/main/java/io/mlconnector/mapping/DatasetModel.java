package io.mlconnector.mapping;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Power BI push dataset this connector writes: tables, columns, DAX measures and relationships.
 * It is the single source of truth: the mappers build rows against these tables, the provisioner
 * creates the dataset from it, and {@code SchemaDiff} compares the service with it.
 *
 * <p>Every table starts with {@code tenant} (the FreshBooks account_id) and the FreshBooks ids, and ends
 * with the lineage columns {@code source_updated_utc}, {@code sign}, {@code pushed_at_utc},
 * {@code batch_id} (DESIGN §3). Rows are signed (+1/−1), so every additive measure multiplies by
 * {@code sign} and counts are {@code SUM(sign)}.
 *
 * <p>Relationships in a push dataset join one column to one column, and one FreshBooks business's ids
 * collide with another's when several tenants share a dataset (DESIGN §4). So each joinable entity
 * gets a composite key column {@code <entity>_key = tenant + "|" + id} (e.g. {@code client_key =
 * "ACM123|12345"}) on both sides of the relationship. Account ids are alphanumeric, so "|" cannot
 * occur inside either part.
 *
 * <p>Dimension tables (clients, vendors, expense categories, accounts; {@link #isDimension}) hold current state,
 * one +1 row per key: the engine refuses a value twice on the one side of a many-to-one relationship, so a
 * signed pair after a rename would break the dashboard. A new key is appended; a changed or deleted one marks
 * the table for a debounced clear-and-reload from the ledger ({@code pipeline.DimensionTables}). Fact tables stay
 * signed, and relationships only ever point from facts to dimensions.
 */
public final class DatasetModel {

    /** Power BI column data types (powerbi-api.md §2.4) and the Java type a {@link Row} holds for each. */
    public enum DataType {
        INT64("Int64", Long.class),
        DOUBLE("Double", Double.class),
        DECIMAL("Decimal", BigDecimal.class),
        DATETIME("DateTime", Instant.class),
        STRING("String", String.class),
        BOOLEAN("Boolean", Boolean.class);

        private final String powerBiName;
        private final Class<?> javaType;

        DataType(String powerBiName, Class<?> javaType) {
            this.powerBiName = powerBiName;
            this.javaType = javaType;
        }

        public String powerBiName() {
            return powerBiName;
        }

        public Class<?> javaType() {
            return javaType;
        }

        /** Power BI matches type names case-insensitively and accepts a few aliases (§2.4). */
        public static Optional<DataType> fromPowerBiName(String name) {
            if (name == null) {
                return Optional.empty();
            }
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            return switch (lower) {
                case "int64", "int" -> Optional.of(INT64);
                case "double" -> Optional.of(DOUBLE);
                case "decimal" -> Optional.of(DECIMAL);
                case "datetime" -> Optional.of(DATETIME);
                case "string" -> Optional.of(STRING);
                case "boolean", "bool" -> Optional.of(BOOLEAN);
                default -> Optional.empty();
            };
        }
    }

    public record Column(String name, DataType dataType) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dataType, "dataType");
        }
    }

    public record Measure(String name, String expression, String formatString) {
        public Measure {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(expression, "expression");
        }
    }

    /** A push table. {@code columns} are in push order; the last three are filled by the pipeline. */
    public record Table(String name, List<Column> columns, List<Measure> measures) {
        public Table {
            Objects.requireNonNull(name, "name");
            columns = List.copyOf(columns);
            measures = List.copyOf(measures);
        }

        public Optional<Column> column(String columnName) {
            return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
        }

        public List<String> columnNames() {
            return columns.stream().map(Column::name).toList();
        }

        /** The columns a mapper fills: all but {@link #PIPELINE_COLUMNS}. */
        public List<Column> mappedColumns() {
            return columns.stream().filter(c -> !PIPELINE_COLUMNS.contains(c.name())).toList();
        }

        /** Starts a row of this table; see {@link RowBuilder}. */
        public RowBuilder newRow(String rowKey) {
            return new RowBuilder(this, rowKey);
        }
    }

    /** Many-to-one: {@code fromTable} is the many (fact) side, {@code toTable} the one (dimension) side. */
    public record Relationship(String name, String fromTable, String fromColumn, String toTable, String toColumn) {
    }

    public static final String TENANT = "tenant";
    public static final String SOURCE_UPDATED_UTC = "source_updated_utc";
    public static final String SIGN = "sign";
    public static final String PUSHED_AT_UTC = "pushed_at_utc";
    public static final String BATCH_ID = "batch_id";
    /** Columns the pipeline fills when it pushes a row (DESIGN §3), not the mappers. */
    public static final Set<String> PIPELINE_COLUMNS = Set.of(SIGN, PUSHED_AT_UTC, BATCH_ID);

    /** Power BI limits (powerbi-api.md §4). */
    public static final int MAX_TABLES = 75;
    public static final int MAX_COLUMNS_PER_TABLE = 75;
    public static final int MAX_RELATIONSHIPS = 75;
    /** Table and relationship name pattern from the REST spec (powerbi-api.md §2.3), BMP part. */
    private static final Pattern TABLE_NAME = Pattern.compile(
            "^[\\x09\\x0A\\x0D\\x20\\x23\\x2D\\x30-\\x39\\x40-\\x5A\\x5E-\\x5F\\x61-\\x7A\\x7E-\\uD7FF\\uE000-\\uFFFD]{1,100}$");

    private static final String MONEY_FORMAT = "#,0.00";

    // ---- the tables -------------------------------------------------------------------------

    public static final Table INVOICES = table("invoices",
            List.of(
                    id("invoice_id"), key("invoice_key"), str("invoice_number"),
                    id("client_id"), key("client_key"), str("organization"), str("currency_code"),
                    date("create_date"), date("due_date"), date("date_paid"),
                    money("amount"), money("paid"), money("outstanding"), money("discount_total"),
                    id("status"), str("status_name"), str("v3_status"), str("payment_status"), str("display_status"),
                    bool("archived"), date("created_at_utc")),
            List.of(
                    new Measure("Invoice Amount", signedSum("invoices", "amount"), MONEY_FORMAT),
                    new Measure("Invoice Paid", signedSum("invoices", "paid"), MONEY_FORMAT),
                    new Measure("Invoice Outstanding", signedSum("invoices", "outstanding"), MONEY_FORMAT),
                    new Measure("Invoice Count", "SUM(invoices[sign])", "0"),
                    // Aging: days past due = DATEDIFF(due_date, TODAY(), DAY); no due date counts as current.
                    new Measure("Outstanding Current", agingSum(
                            "ISBLANK(invoices[due_date]) || invoices[due_date] >= TODAY()"), MONEY_FORMAT),
                    new Measure("Outstanding 1-30 Days", agingSum(pastDue(1, 30)), MONEY_FORMAT),
                    new Measure("Outstanding 31-60 Days", agingSum(pastDue(31, 60)), MONEY_FORMAT),
                    new Measure("Outstanding 61-90 Days", agingSum(pastDue(61, 90)), MONEY_FORMAT),
                    new Measure("Outstanding 90+ Days", agingSum(
                            "NOT ISBLANK(invoices[due_date]) && DATEDIFF(invoices[due_date], TODAY(), DAY) > 90"),
                            MONEY_FORMAT)));

    public static final Table INVOICE_LINES = table("invoice_lines",
            List.of(
                    id("invoice_id"), id("line_id"), key("invoice_key"), id("line_type"),
                    str("name"), str("description"), dec("qty"), money("unit_cost"), money("amount"),
                    str("currency_code"),
                    str("tax_name1"), dec("tax_percent1"), str("tax_name2"), dec("tax_percent2"),
                    id("expense_id")),
            List.of(new Measure("Invoice Line Amount", signedSum("invoice_lines", "amount"), MONEY_FORMAT)));

    public static final Table PAYMENTS = table("payments",
            List.of(
                    id("payment_id"), id("invoice_id"), key("invoice_key"), id("client_id"), key("client_key"),
                    money("amount"), str("currency_code"), date("payment_date"), date("week_start"),
                    str("payment_type"), bool("from_credit"), id("credit_id"), id("overpayment_id"),
                    str("gateway"), str("note"), bool("archived")),
            List.of(
                    new Measure("Payments Total", signedSum("payments", "amount"), MONEY_FORMAT),
                    new Measure("Payment Count", "SUM(payments[sign])", "0")));

    public static final Table EXPENSES = table("expenses",
            List.of(
                    id("expense_id"), id("client_id"), key("client_key"),
                    id("category_id"), key("category_key"), str("category_name"),
                    str("vendor"), date("expense_date"), date("week_start"), money("amount"), str("currency_code"),
                    str("tax_name1"), money("tax_amount1"), str("tax_name2"), money("tax_amount2"),
                    str("account_id"), str("account_name"), str("bank_name"),
                    id("status"), str("status_name"), bool("billable"), bool("has_receipt"), bool("is_cogs"),
                    id("invoice_id"), id("project_id"), id("staff_id"), str("notes"), bool("archived")),
            List.of(
                    new Measure("Expenses Total", signedSum("expenses", "amount"), MONEY_FORMAT),
                    new Measure("Expense Count", "SUM(expenses[sign])", "0")));

    public static final Table BILLS = table("bills",
            List.of(
                    id("bill_id"), key("bill_key"), str("bill_number"), id("vendor_id"), key("vendor_key"),
                    date("issue_date"), date("due_date"), str("currency_code"),
                    money("amount"), money("tax_amount"), money("total_amount"), money("paid"), money("outstanding"),
                    str("status"), str("overall_category"), str("overall_description"),
                    bool("archived"), date("created_at_utc")),
            List.of(
                    new Measure("Bills Total", signedSum("bills", "total_amount"), MONEY_FORMAT),
                    new Measure("Bills Outstanding", signedSum("bills", "outstanding"), MONEY_FORMAT),
                    // Due: not yet past its due date (or none given); overdue: past it, as of today.
                    new Measure("Bills Due", "SUMX(FILTER(bills, ISBLANK(bills[due_date]) || bills[due_date] >= TODAY()),"
                            + " bills[outstanding] * bills[sign])", MONEY_FORMAT),
                    new Measure("Bills Overdue", "SUMX(FILTER(bills, NOT ISBLANK(bills[due_date]) && bills[due_date] < TODAY()),"
                            + " bills[outstanding] * bills[sign])", MONEY_FORMAT),
                    new Measure("Bill Count", "SUM(bills[sign])", "0")));

    public static final Table BILL_LINES = table("bill_lines",
            List.of(
                    id("bill_id"), id("line_index"), key("bill_key"),
                    id("category_id"), key("category_key"), str("category_name"), str("description"),
                    dec("quantity"), money("unit_cost"), money("amount"), money("total_amount"), str("currency_code"),
                    str("tax_name1"), dec("tax_percent1"), money("tax_amount1"),
                    str("tax_name2"), dec("tax_percent2"), money("tax_amount2")),
            List.of(new Measure("Bill Lines Total", signedSum("bill_lines", "total_amount"), MONEY_FORMAT)));

    public static final Table BILL_PAYMENTS = table("bill_payments",
            List.of(
                    id("bill_payment_id"), id("bill_id"), key("bill_key"), id("vendor_id"), key("vendor_key"),
                    money("amount"), str("currency_code"), date("paid_date"), date("week_start"),
                    str("payment_type"), bool("matched_with_expense"), str("note"), bool("archived")),
            List.of(new Measure("Bill Payments Total", signedSum("bill_payments", "amount"), MONEY_FORMAT)));

    /**
     * Money in and out, one row per payment received, bill payment made and expense (see {@link CashMovements}):
     * the cash position by week and to date from one table, as a push dataset has no shared date table to join
     * three fact tables by week (and a table named {@code Date} is a known service problem).
     */
    public static final Table CASH_MOVEMENTS = table("cash_movements",
            List.of(
                    str("movement_key"), str("kind"), id("source_id"), key("client_key"), key("vendor_key"),
                    date("movement_date"), date("week_start"),
                    money("amount_in"), money("amount_out"), money("net_amount"), str("currency_code")),
            List.of(
                    new Measure("Cash In", signedSum("cash_movements", "amount_in"), MONEY_FORMAT),
                    new Measure("Cash Out", signedSum("cash_movements", "amount_out"), MONEY_FORMAT),
                    new Measure("Net Cash", signedSum("cash_movements", "net_amount"), MONEY_FORMAT),
                    // Running total: every movement up to the latest date in the current filter (a week, a day).
                    new Measure("Cash Position To Date", "CALCULATE(" + signedSum("cash_movements", "net_amount")
                            + ", FILTER(ALL(cash_movements[movement_date]),"
                            + " cash_movements[movement_date] <= MAX(cash_movements[movement_date])))", MONEY_FORMAT)));

    public static final Table CLIENTS = table("clients",
            List.of(
                    id("client_id"), key("client_key"), str("organization"), str("first_name"), str("last_name"),
                    str("email"), str("currency_code"), str("city"), str("province"), str("country"),
                    date("signup_date_utc"), bool("archived")),
            List.of(new Measure("Client Count", "SUM(clients[sign])", "0")));

    public static final Table VENDORS = table("vendors",
            List.of(
                    id("vendor_id"), key("vendor_key"), str("vendor_name"), str("account_number"),
                    str("contact_email"), str("city"), str("province"), str("country"), str("currency_code"),
                    bool("is_1099"), date("created_at_utc"), bool("archived")),
            List.of(new Measure("Vendor Count", "SUM(vendors[sign])", "0")));

    /** Chart of accounts (ledger accounts, keyed by uuid; reference §4.10). */
    public static final Table ACCOUNTS = table("accounts",
            List.of(
                    str("account_uuid"), key("account_key"), str("account_number"), str("account_name"),
                    str("description"), str("account_type"), str("account_sub_type"), str("system_account_name"),
                    str("parent_account_uuid"), bool("auto_created"), str("state")),
            List.of());

    /** Expense categories: the coding of expenses and bill lines. */
    public static final Table EXPENSE_CATEGORIES = table("expense_categories",
            List.of(
                    id("category_id"), key("category_key"), str("category_name"), id("parent_id"),
                    bool("is_cogs"), bool("is_editable"), date("created_at_utc"), bool("archived")),
            List.of());

    private static final List<Table> FRESHBOOKS_TABLES = List.of(
            INVOICES, INVOICE_LINES, PAYMENTS, EXPENSES, BILLS, BILL_LINES, BILL_PAYMENTS, CASH_MOVEMENTS,
            CLIENTS, VENDORS, ACCOUNTS, EXPENSE_CATEGORIES);

    /** The tables that hold current state, one row per key (see the class comment). */
    private static final java.util.Set<String> DIMENSIONS = java.util.Set.of("clients", "vendors", "accounts",
            "expense_categories");

    private static final List<Relationship> FRESHBOOKS_RELATIONSHIPS = List.of(
            new Relationship("invoices_clients", "invoices", "client_key", "clients", "client_key"),
            new Relationship("payments_clients", "payments", "client_key", "clients", "client_key"),
            new Relationship("expenses_clients", "expenses", "client_key", "clients", "client_key"),
            new Relationship("expenses_categories", "expenses", "category_key", "expense_categories", "category_key"),
            new Relationship("bill_lines_categories", "bill_lines", "category_key", "expense_categories", "category_key"),
            new Relationship("bills_vendors", "bills", "vendor_key", "vendors", "vendor_key"),
            new Relationship("bill_payments_vendors", "bill_payments", "vendor_key", "vendors", "vendor_key"),
            new Relationship("cash_movements_clients", "cash_movements", "client_key", "clients", "client_key"),
            new Relationship("cash_movements_vendors", "cash_movements", "vendor_key", "vendors", "vendor_key"));

    // ---- the model --------------------------------------------------------------------------

    private final String datasetName;
    private final List<Table> tables;
    private final List<Relationship> relationships;

    public DatasetModel(String datasetName, List<Table> tables, List<Relationship> relationships) {
        this.datasetName = Objects.requireNonNull(datasetName, "datasetName");
        this.tables = List.copyOf(tables);
        this.relationships = List.copyOf(relationships);
        validate();
    }

    /** The connector's FreshBooks model under the dataset name chosen in configuration. */
    public static DatasetModel freshBooks(String datasetName) {
        return new DatasetModel(datasetName, FRESHBOOKS_TABLES, FRESHBOOKS_RELATIONSHIPS);
    }

    public String datasetName() {
        return datasetName;
    }

    public List<Table> tables() {
        return tables;
    }

    /** Whether {@code table} holds current state, one row per key, rather than signed rows. */
    public static boolean isDimension(String table) {
        return DIMENSIONS.contains(table);
    }

    public List<Relationship> relationships() {
        return relationships;
    }

    public Optional<Table> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public List<String> tableNames() {
        return tables.stream().map(Table::name).toList();
    }

    /** Body of {@code POST /groups/{id}/datasets} (powerbi-api.md §2.2/§2.3). */
    public ObjectNode toCreateDatasetJson() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("name", datasetName);
        body.put("defaultMode", "Push");
        ArrayNode tableArray = body.putArray("tables");
        tables.forEach(t -> tableArray.add(toTableJson(t)));
        ArrayNode relationshipArray = body.putArray("relationships");
        for (Relationship r : relationships) {
            ObjectNode node = relationshipArray.addObject();
            node.put("name", r.name());
            node.put("fromTable", r.fromTable());
            node.put("fromColumn", r.fromColumn());
            node.put("toTable", r.toTable());
            node.put("toColumn", r.toColumn());
            node.put("crossFilteringBehavior", "OneDirection");
        }
        return body;
    }

    /** Body of {@code PUT …/tables/{name}}: the full table (columns and measures). */
    public static ObjectNode toTableJson(Table table) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("name", table.name());
        ArrayNode columns = node.putArray("columns");
        for (Column c : table.columns()) {
            ObjectNode column = columns.addObject();
            column.put("name", c.name());
            column.put("dataType", c.dataType().powerBiName());
            if (c.dataType() == DataType.DECIMAL) {
                column.put("formatString", MONEY_FORMAT);
            }
        }
        if (!table.measures().isEmpty()) {
            ArrayNode measures = node.putArray("measures");
            for (Measure m : table.measures()) {
                ObjectNode measure = measures.addObject();
                measure.put("name", m.name());
                measure.put("expression", m.expression());
                if (m.formatString() != null) {
                    measure.put("formatString", m.formatString());
                }
            }
        }
        return node;
    }

    private void validate() {
        if (tables.isEmpty() || tables.size() > MAX_TABLES) {
            throw new IllegalArgumentException("a push dataset needs 1.." + MAX_TABLES + " tables, got " + tables.size());
        }
        if (relationships.size() > MAX_RELATIONSHIPS) {
            throw new IllegalArgumentException("at most " + MAX_RELATIONSHIPS + " relationships, got " + relationships.size());
        }
        Set<String> tableNames = new HashSet<>();
        for (Table t : tables) {
            if (!TABLE_NAME.matcher(t.name()).matches()) {
                throw new IllegalArgumentException("table name not allowed by Power BI: '" + t.name() + "'");
            }
            if (!tableNames.add(t.name())) {
                throw new IllegalArgumentException("duplicate table " + t.name());
            }
            if (t.columns().isEmpty() || t.columns().size() > MAX_COLUMNS_PER_TABLE) {
                throw new IllegalArgumentException("table " + t.name() + " needs 1.." + MAX_COLUMNS_PER_TABLE
                        + " columns, got " + t.columns().size());
            }
            if (new HashSet<>(t.columnNames()).size() != t.columns().size()) {
                throw new IllegalArgumentException("duplicate column in table " + t.name());
            }
        }
        for (Relationship r : relationships) {
            if (!TABLE_NAME.matcher(r.name()).matches()) {
                throw new IllegalArgumentException("relationship name not allowed by Power BI: '" + r.name() + "'");
            }
            Column from = requireColumn(r.fromTable(), r.fromColumn(), r);
            Column to = requireColumn(r.toTable(), r.toColumn(), r);
            if (from.dataType() != to.dataType()) {
                throw new IllegalArgumentException("relationship " + r.name() + " joins different types");
            }
            if (!isDimension(r.toTable()) || isDimension(r.fromTable())) {
                throw new IllegalArgumentException("relationship " + r.name() + " must point from a fact table to a"
                        + " dimension table (one row per key)");
            }
        }
    }

    private Column requireColumn(String tableName, String columnName, Relationship r) {
        return table(tableName).flatMap(t -> t.column(columnName)).orElseThrow(() ->
                new IllegalArgumentException("relationship " + r.name() + " names unknown column "
                        + tableName + "[" + columnName + "]"));
    }

    // ---- small builders so the table definitions above read as a list of columns -------------

    private static Table table(String name, List<Column> businessColumns, List<Measure> measures) {
        List<Column> columns = new ArrayList<>();
        columns.add(str(TENANT));
        columns.addAll(businessColumns);
        columns.add(date(SOURCE_UPDATED_UTC));
        columns.add(new Column(SIGN, DataType.INT64));
        columns.add(date(PUSHED_AT_UTC));
        columns.add(str(BATCH_ID));
        return new Table(name, columns, measures);
    }

    private static Column id(String name) {
        return new Column(name, DataType.INT64);
    }

    private static Column key(String name) {
        return new Column(name, DataType.STRING);
    }

    private static Column str(String name) {
        return new Column(name, DataType.STRING);
    }

    private static Column money(String name) {
        return new Column(name, DataType.DECIMAL);
    }

    private static Column dec(String name) {
        return new Column(name, DataType.DECIMAL);
    }

    private static Column date(String name) {
        return new Column(name, DataType.DATETIME);
    }

    private static Column bool(String name) {
        return new Column(name, DataType.BOOLEAN);
    }

    private static String signedSum(String table, String column) {
        return "SUMX(" + table + ", " + table + "[" + column + "] * " + table + "[sign])";
    }

    private static String agingSum(String condition) {
        return "SUMX(FILTER(invoices, " + condition + "), invoices[outstanding] * invoices[sign])";
    }

    private static String pastDue(int fromDays, int toDays) {
        return "NOT ISBLANK(invoices[due_date]) && DATEDIFF(invoices[due_date], TODAY(), DAY) >= " + fromDays
                + " && DATEDIFF(invoices[due_date], TODAY(), DAY) <= " + toDays;
    }
}
