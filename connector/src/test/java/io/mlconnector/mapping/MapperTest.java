package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksFixtures.TENANT;
import static io.mlconnector.mapping.FreshBooksFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/** Every mapper against a realistic record, asserting every column of every row (table-driven). */
class MapperTest {

    private static final MapperRegistry REGISTRY = MapperRegistry.standard();

    record ExpectedRow(String table, String rowKey, Map<String, Object> values) {
    }

    static Stream<Arguments> records() {
        return Stream.of(
                Arguments.of("invoice", FreshBooksFixtures.INVOICE, List.of(
                        new ExpectedRow("invoices", "987654", values(
                                "tenant", TENANT, "invoice_id", 987654L, "invoice_key", "ACM123|987654",
                                "invoice_number", "ACM0002", "client_id", 12345L, "client_key", "ACM123|12345",
                                "organization", "Gordon Shumway", "currency_code", "CAD",
                                "create_date", at("2021-04-16T00:00:00Z"), "due_date", at("2021-04-16T00:00:00Z"),
                                "date_paid", null,
                                "amount", dec("41.94"), "paid", dec("20.00"), "outstanding", dec("21.94"),
                                "discount_total", dec("-4.40"),
                                "status", 8L, "status_name", "partial", "v3_status", "partial",
                                "payment_status", "partial", "display_status", "sent", "archived", false,
                                // Eastern wall time, EDT (−04:00) in April
                                "created_at_utc", at("2021-04-16T14:31:19Z"),
                                "source_updated_utc", at("2021-04-16T14:31:58Z"))),
                        new ExpectedRow("invoice_lines", "987654/1", values(
                                "tenant", TENANT, "invoice_id", 987654L, "line_id", 1L, "invoice_key", "ACM123|987654",
                                "line_type", 0L, "name", "Bowls", "description", "Hand-made", "qty", dec("4"),
                                "unit_cost", dec("5.00"), "amount", dec("20.00"), "currency_code", "CAD",
                                "tax_name1", "HST1", "tax_percent1", dec("13"), "tax_name2", null, "tax_percent2", dec("0"),
                                "expense_id", null, "source_updated_utc", at("2021-04-16T14:31:58Z"))),
                        new ExpectedRow("invoice_lines", "987654/2", values(
                                "tenant", TENANT, "invoice_id", 987654L, "line_id", 2L, "invoice_key", "ACM123|987654",
                                "line_type", 1L, "name", "Plates", "description", null, "qty", dec("2"),
                                "unit_cost", dec("12.00"), "amount", dec("24.00"), "currency_code", "CAD",
                                "tax_name1", null, "tax_percent1", dec("0"), "tax_name2", null, "tax_percent2", dec("0"),
                                "expense_id", 555L, "source_updated_utc", at("2021-04-16T14:31:58Z"))))),
                Arguments.of("payment", FreshBooksFixtures.PAYMENT, List.of(
                        new ExpectedRow("payments", "10318", values(
                                "tenant", TENANT, "payment_id", 10318L, "invoice_id", 34420L, "invoice_key", "ACM123|34420",
                                "client_id", 31006L, "client_key", "ACM123|31006", "amount", dec("180.00"),
                                "currency_code", "USD", "payment_date", at("2019-04-19T00:00:00Z"),
                                // 2019-04-19 is a Friday; its ISO week starts Monday 2019-04-15
                                "week_start", at("2019-04-15T00:00:00Z"), "payment_type", "Check",
                                "from_credit", false, "credit_id", null, "overpayment_id", 10320L, "gateway", null,
                                "note", "Paid in full", "archived", false,
                                "source_updated_utc", at("2019-04-24T18:22:18Z"))),
                        new ExpectedRow("cash_movements", "payment:10318", values(
                                "tenant", TENANT, "movement_key", "payment:10318", "kind", "payment", "source_id", 10318L,
                                "client_key", "ACM123|31006", "vendor_key", null,
                                "movement_date", at("2019-04-19T00:00:00Z"), "week_start", at("2019-04-15T00:00:00Z"),
                                "amount_in", dec("180.00"), "amount_out", dec("0"), "net_amount", dec("180.00"),
                                "currency_code", "USD", "source_updated_utc", at("2019-04-24T18:22:18Z"))))),
                Arguments.of("expense", FreshBooksFixtures.EXPENSE, List.of(
                        new ExpectedRow("expenses", "7001", values(
                                "tenant", TENANT, "expense_id", 7001L, "client_id", 12345L, "client_key", "ACM123|12345",
                                "category_id", 3421L, "category_key", "ACM123|3421", "category_name", "Office Supplies",
                                "vendor", "Staples", "expense_date", at("2021-11-06T00:00:00Z"),
                                // 2021-11-06 is a Saturday
                                "week_start", at("2021-11-01T00:00:00Z"), "amount", dec("113.00"),
                                "currency_code", "CAD", "tax_name1", "HST", "tax_amount1", dec("13.00"),
                                "tax_name2", null, "tax_amount2", null,
                                "account_id", null, "account_name", "Chequing", "bank_name", "RBC",
                                "status", 0L, "status_name", "internal", "billable", false, "has_receipt", true,
                                "is_cogs", false, "invoice_id", null, "project_id", null, "staff_id", 1L,
                                "notes", "Printer paper", "archived", true,
                                // 01:30 on 2021-11-07 happens twice in New York; we take the earlier (EDT) one
                                "source_updated_utc", at("2021-11-07T05:30:00Z"))),
                        // archived, not deleted: the money still left
                        new ExpectedRow("cash_movements", "expense:7001", values(
                                "tenant", TENANT, "movement_key", "expense:7001", "kind", "expense", "source_id", 7001L,
                                "client_key", "ACM123|12345", "vendor_key", null,
                                "movement_date", at("2021-11-06T00:00:00Z"), "week_start", at("2021-11-01T00:00:00Z"),
                                "amount_in", dec("0"), "amount_out", dec("113.00"), "net_amount", dec("-113.00"),
                                "currency_code", "CAD", "source_updated_utc", at("2021-11-07T05:30:00Z"))))),
                Arguments.of("bill", FreshBooksFixtures.BILL, List.of(
                        new ExpectedRow("bills", "1626", values(
                                "tenant", TENANT, "bill_id", 1626L, "bill_key", "ACM123|1626", "bill_number", "B-100",
                                "vendor_id", 88L, "vendor_key", "ACM123|88", "issue_date", at("2021-06-01T00:00:00Z"),
                                "due_date", at("2021-07-01T00:00:00Z"), "currency_code", "USD",
                                "amount", dec("4000.00"), "tax_amount", dec("520.00"), "total_amount", dec("4520.00"),
                                "paid", dec("4000.00"), "outstanding", dec("520.00"), "status", "partial",
                                "overall_category", "Rent", "overall_description", "June rent", "archived", false,
                                // bills carry UTC wall times
                                "created_at_utc", at("2021-06-01T12:00:00Z"),
                                "source_updated_utc", at("2021-06-16T18:05:07Z"))),
                        new ExpectedRow("bill_lines", "1626/1", values(
                                "tenant", TENANT, "bill_id", 1626L, "line_index", 1L, "bill_key", "ACM123|1626",
                                "category_id", 3500L, "category_key", "ACM123|3500", "category_name", "Rent or Lease",
                                "description", "Office rent", "quantity", dec("1"), "unit_cost", dec("4000.00"),
                                "amount", dec("4000.00"), "total_amount", dec("4520.00"), "currency_code", "USD",
                                "tax_name1", "HST", "tax_percent1", dec("13"), "tax_amount1", dec("520.00"),
                                "tax_name2", null, "tax_percent2", null, "tax_amount2", null,
                                "source_updated_utc", at("2021-06-16T18:05:07Z"))),
                        // bill payment 1491 has vis_state 1 (deleted) and is left out
                        new ExpectedRow("bill_payments", "1490", values(
                                "tenant", TENANT, "bill_payment_id", 1490L, "bill_id", 1626L, "bill_key", "ACM123|1626",
                                "vendor_id", 88L, "vendor_key", "ACM123|88", "amount", dec("4000.00"),
                                "currency_code", "USD", "paid_date", at("2021-06-16T00:00:00Z"),
                                "week_start", at("2021-06-14T00:00:00Z"), "payment_type", "Check",
                                "matched_with_expense", false, "note", "June", "archived", false,
                                "source_updated_utc", at("2021-06-16T18:05:07Z"))),
                        new ExpectedRow("cash_movements", "bill_payment:1490", values(
                                "tenant", TENANT, "movement_key", "bill_payment:1490", "kind", "bill_payment",
                                "source_id", 1490L, "client_key", null, "vendor_key", "ACM123|88",
                                "movement_date", at("2021-06-16T00:00:00Z"), "week_start", at("2021-06-14T00:00:00Z"),
                                "amount_in", dec("0"), "amount_out", dec("4000.00"), "net_amount", dec("-4000.00"),
                                "currency_code", "USD", "source_updated_utc", at("2021-06-16T18:05:07Z"))))),
                Arguments.of("client", FreshBooksFixtures.CLIENT, List.of(
                        new ExpectedRow("clients", "12345", values(
                                "tenant", TENANT, "client_id", 12345L, "client_key", "ACM123|12345",
                                "organization", "Gordon Shumway", "first_name", "Gordon", "last_name", "Shumway",
                                "email", "alf@example.com", "currency_code", "CAD", "city", "Toronto",
                                "province", "Ontario", "country", "Canada",
                                "signup_date_utc", at("2020-01-15T17:00:00Z"), "archived", false,
                                // 03:15 on the spring-forward day is EDT (−04:00)
                                "source_updated_utc", at("2021-03-14T07:15:00Z"))))),
                Arguments.of("bill_vendor", FreshBooksFixtures.VENDOR, List.of(
                        new ExpectedRow("vendors", "88", values(
                                "tenant", TENANT, "vendor_id", 88L, "vendor_key", "ACM123|88",
                                "vendor_name", "Acme Properties", "account_number", "AC-9",
                                "contact_email", "rent@acme.test", "city", "Ottawa", "province", "Ontario",
                                "country", "Canada", "currency_code", "USD", "is_1099", false,
                                "created_at_utc", at("2021-05-01T09:00:00Z"), "archived", false,
                                "source_updated_utc", at("2021-05-02T10:00:00Z"))))),
                Arguments.of("ledger_account", FreshBooksFixtures.LEDGER_ACCOUNT, List.of(
                        new ExpectedRow("accounts", "8f6d1e2a-0000-4000-8000-000000000001", values(
                                "tenant", TENANT, "account_uuid", "8f6d1e2a-0000-4000-8000-000000000001",
                                "account_key", "ACM123|8f6d1e2a-0000-4000-8000-000000000001",
                                "account_number", "1000-1", "account_name", "Cash", "description", "Petty cash",
                                "account_type", "asset", "account_sub_type", "Cash & Bank", "system_account_name", null,
                                "parent_account_uuid", "8f6d1e2a-0000-4000-8000-000000000000",
                                "auto_created", true, "state", "active",
                                "source_updated_utc", at("2023-04-27T14:33:48.841075Z"))))),
                Arguments.of("category", FreshBooksFixtures.CATEGORY, List.of(
                        new ExpectedRow("expense_categories", "3421", values(
                                "tenant", TENANT, "category_id", 3421L, "category_key", "ACM123|3421",
                                "category_name", "Office Supplies", "parent_id", 3400L, "is_cogs", false,
                                "is_editable", true, "created_at_utc", at("2020-01-01T05:00:00Z"), "archived", false,
                                "source_updated_utc", at("2021-07-04T16:00:00Z"))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void mapsEveryColumn(String type, String record, List<ExpectedRow> expected) {
        List<Row> rows = REGISTRY.require(type).map(TENANT, json(record));

        assertThat(rows).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            ExpectedRow want = expected.get(i);
            Row got = rows.get(i);
            assertThat(got.table()).isEqualTo(want.table());
            assertThat(got.rowKey()).isEqualTo(want.rowKey());
            assertThat(got.values()).as("%s row %s", want.table(), want.rowKey())
                    .containsExactlyEntriesOf(want.values());
        }
    }

    /** Every mapper's rows match DatasetModel: known table, exact column list in order, Java type per dataType. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void rowsConformToTheDatasetModel(String type, String record, List<ExpectedRow> ignored) {
        DatasetModel model = DatasetModel.freshBooks("FreshBooks");
        RecordMapper mapper = REGISTRY.require(type);
        for (Row row : mapper.map(TENANT, json(record))) {
            DatasetModel.Table table = model.table(row.table()).orElseThrow();
            assertThat(mapper.tables()).contains(table);
            assertThat(List.copyOf(row.values().keySet()))
                    .containsExactlyElementsOf(table.mappedColumns().stream().map(DatasetModel.Column::name).toList());
            row.values().forEach((column, value) -> {
                if (value != null) {
                    assertThat(value).as("%s.%s", row.table(), column)
                            .isInstanceOf(table.column(column).orElseThrow().dataType().javaType());
                }
            });
            assertThat(row.toPushJson(1, Instant.EPOCH, "b").keySet()).containsExactlyElementsOf(table.columnNames());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"invoice", "payment", "expense", "bill", "client", "bill_vendor", "category"})
    void deletedRecordMapsToNoRows(String type) {
        String fixture = (String) records().filter(a -> a.get()[0].equals(type)).findFirst().orElseThrow().get()[1];
        ObjectNode record = (ObjectNode) json(fixture);
        record.put("vis_state", 1);

        assertThat(REGISTRY.require(type).map(TENANT, record)).isEmpty();
    }

    @Test
    void archivedInvoiceStillMaps() {
        ObjectNode invoice = (ObjectNode) json(FreshBooksFixtures.INVOICE);
        invoice.put("vis_state", 2);

        List<Row> rows = new InvoiceMapper().map(TENANT, invoice);

        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).values()).containsEntry("archived", true).containsEntry("amount", dec("41.94"));
    }

    @Test
    void invoiceWithoutLinesMapsToTheInvoiceRowOnly() {
        ObjectNode invoice = (ObjectNode) json(FreshBooksFixtures.INVOICE);
        invoice.remove("lines");

        assertThat(new InvoiceMapper().map(TENANT, invoice)).extracting(Row::table).containsExactly("invoices");
    }

    @Test
    void recordWithoutIdIsRefused() {
        ObjectNode invoice = (ObjectNode) json(FreshBooksFixtures.INVOICE);
        invoice.remove("id");
        invoice.remove("invoiceid");

        assertThatThrownBy(() -> new InvoiceMapper().map(TENANT, invoice))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invoiceid");
    }

    @Test
    void registryKnowsEveryFreshBooksTypeWeSync() {
        assertThat(REGISTRY.types()).containsExactlyInAnyOrder(
                "invoice", "payment", "expense", "bill", "client", "bill_vendor", "category", "ledger_account");
        assertThatThrownBy(() -> REGISTRY.require("estimate")).hasMessageContaining("estimate");
    }

    @Test
    void everyModelTableIsWrittenBySomeMapper() {
        DatasetModel model = DatasetModel.freshBooks("FreshBooks");
        List<String> written = REGISTRY.types().stream()
                .flatMap(t -> REGISTRY.require(t).tables().stream()).map(DatasetModel.Table::name).toList();
        assertThat(java.util.Set.copyOf(written)).containsExactlyInAnyOrderElementsOf(model.tableNames());
        assertThat(written).as("tables written by several mappers").filteredOn(t -> java.util.Collections.frequency(written, t) > 1)
                .containsOnly("cash_movements"); // payments in, bill payments and expenses out
    }

    private static Map<String, Object> values(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }
}
