package io.mlconnector.powerbi;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rows from every mapper, rendered by {@link Row#toPushJson}, through {@link PushDatasetClient#postRows} into the
 * Power BI simulator's strict validation (unknown column, wrong type, Decimal scale, string length → 400).
 */
class PushRowsIT {

    private static final String WORKSPACE = SimulatedPowerBi.WORKSPACE;
    private static final DatasetModel MODEL = DatasetModel.freshBooks("FreshBooks");
    private static final Instant PUSHED_AT = Instant.parse("2026-03-01T10:00:00.123456Z");

    /** FreshBooks object type → a realistic record of it; together they fill every table of the model. */
    private static final Map<String, String> RECORDS = new LinkedHashMap<>();

    static {
        RECORDS.put("invoice", FreshBooksFixtures.INVOICE);
        RECORDS.put("payment", FreshBooksFixtures.PAYMENT);
        RECORDS.put("expense", FreshBooksFixtures.EXPENSE);
        RECORDS.put("bill", FreshBooksFixtures.BILL);
        RECORDS.put("client", FreshBooksFixtures.CLIENT);
        RECORDS.put("bill_vendor", FreshBooksFixtures.VENDOR);
        RECORDS.put("category", FreshBooksFixtures.CATEGORY);
        RECORDS.put("ledger_account", FreshBooksFixtures.LEDGER_ACCOUNT);
    }

    private final SimulatedPowerBi sims = new SimulatedPowerBi();
    private final PushDatasetClient client = sims.client(sims.tokenSource());
    private String datasetId;

    @BeforeEach
    void provision() {
        datasetId = new DatasetProvisioner(client, RetentionPolicy.NONE).ensure(WORKSPACE, MODEL).datasetId();
    }

    @AfterEach
    void stop() {
        sims.close();
    }

    @Test
    void rowsOfEveryMapperAreAcceptedAndStoredAsSent() {
        List<Row> rows = new ArrayList<>();
        RECORDS.forEach((type, json) -> rows.addAll(DatasetProvisionerIT.map(type, json)));
        Map<String, List<Row>> byTable = rows.stream()
                .collect(Collectors.groupingBy(Row::table, LinkedHashMap::new, Collectors.toList()));
        assertThat(byTable.keySet()).as("the fixtures reach every table").containsExactlyInAnyOrderElementsOf(MODEL.tableNames());

        byTable.forEach((table, tableRows) -> {
            List<Map<String, Object>> json = tableRows.stream().map(r -> r.toPushJson(1, PUSHED_AT, "batch-1")).toList();

            assertThat(client.postRows(WORKSPACE, datasetId, table, json)).as(table)
                    .isInstanceOf(PostRowsResult.Accepted.class);
            assertThat(sims.powerBi.rows(datasetId, table)).as(table)
                    .map(PushRowsIT::normalized)
                    .containsExactlyElementsOf(json.stream().map(PushRowsIT::normalized).toList());
        });
        assertThat(sims.powerBi.rows(datasetId, "invoices")).singleElement().satisfies(row -> {
            assertThat(row).containsEntry("pushed_at_utc", "2026-03-01T10:00:00.123Z");
            assertThat(row).containsEntry("source_updated_utc", "2021-04-16T14:31:58Z");
            assertThat(row).containsEntry("sign", 1L);
        });
    }

    @Test
    void anUpdatePairLeavesTheNewAmountInSignedSums() {
        ObjectNode v1 = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.INVOICE);
        ObjectNode v2 = v1.deepCopy();
        v2.putObject("amount").put("amount", "55.37").put("code", "CAD");
        v2.putObject("outstanding").put("amount", "35.37").put("code", "CAD");
        v2.put("updated", "2021-04-17 09:00:00");
        ((ObjectNode) v2.get("lines").get(1)).putObject("amount").put("amount", "35.20").put("code", "CAD");
        List<Row> oldRows = DatasetProvisionerIT.map("invoice", v1.toString());
        List<Row> newRows = DatasetProvisionerIT.map("invoice", v2.toString());

        push(oldRows, 1, "batch-1");               // first sight: +1 v1
        push(oldRows, -1, "batch-2");              // the change: −1 with v1's values …
        push(newRows, 1, "batch-2");               // … and +1 with v2's

        List<Map<String, Object>> invoices = sims.powerBi.rows(datasetId, "invoices");
        assertThat(invoices).hasSize(3);
        assertThat(signedSum(invoices, "amount")).isEqualByComparingTo("55.37");
        assertThat(signedSum(invoices, "outstanding")).isEqualByComparingTo("35.37");
        assertThat(invoices.stream().mapToLong(r -> (Long) r.get("sign")).sum()).as("SUM(sign)").isEqualTo(1);
        List<Map<String, Object>> lines = sims.powerBi.rows(datasetId, "invoice_lines");
        assertThat(lines).hasSize(6);
        assertThat(signedSum(lines, "amount")).isEqualByComparingTo("55.20");
    }

    /** The values at Power BI's edges, as the mappers produce them: long text, Decimal scale beyond 4. */
    @Test
    void valuesAtTheLimitsAreAccepted() {
        ObjectNode expense = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.EXPENSE);
        // 4,001 UTF-16 units: FreshBooksValues.text cuts to Power BI's 4,000 right inside a surrogate pair.
        String notes = "x" + "\uD83D\uDE00".repeat(2_000);
        expense.put("notes", notes);
        expense.putObject("amount").put("amount", "0.00005").put("code", "CAD");
        List<Row> rows = DatasetProvisionerIT.map("expense", expense.toString());

        assertThat(client.postRows(WORKSPACE, datasetId, "expenses",
                List.of(rows.get(0).toPushJson(1, PUSHED_AT, "batch-1")))).isInstanceOf(PostRowsResult.Accepted.class);

        Map<String, Object> stored = sims.powerBi.rows(datasetId, "expenses").get(0);
        String storedNotes = (String) stored.get("notes");
        assertThat(storedNotes.length()).isLessThanOrEqualTo(4_000);
        assertThat(notes).as("a clean prefix, no replacement character").startsWith(storedNotes);
        assertThat((BigDecimal) stored.get("amount")).isEqualByComparingTo("0.0000"); // HALF_EVEN at scale 4
    }

    private void push(List<Row> rows, int sign, String batchId) {
        Map<String, List<Map<String, Object>>> byTable = new LinkedHashMap<>();
        for (Row row : rows) {
            byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row.toPushJson(sign, PUSHED_AT, batchId));
        }
        byTable.forEach((table, json) -> assertThat(client.postRows(WORKSPACE, datasetId, table, json))
                .as("%s %+d", table, sign).isInstanceOf(PostRowsResult.Accepted.class));
    }

    /** SUM(column × sign), as the model's measures compute it. */
    private static BigDecimal signedSum(List<Map<String, Object>> rows, String column) {
        return rows.stream()
                .map(r -> ((BigDecimal) r.get(column)).multiply(BigDecimal.valueOf((Long) r.get("sign"))))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** Nulls dropped (the service stores a blank), decimals compared by value. */
    private static Map<String, Object> normalized(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((column, value) -> {
            if (value != null) {
                out.put(column, value instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : value);
            }
        });
        return out;
    }
}
