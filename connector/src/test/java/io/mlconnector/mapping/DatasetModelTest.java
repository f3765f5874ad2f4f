package io.mlconnector.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.mapping.DatasetModel.Column;
import io.mlconnector.mapping.DatasetModel.DataType;
import io.mlconnector.mapping.DatasetModel.Relationship;
import io.mlconnector.mapping.DatasetModel.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class DatasetModelTest {

    private final DatasetModel model = DatasetModel.freshBooks("FreshBooks Finance");

    @Test
    void hasTheAgreedTables() {
        assertThat(model.tableNames()).containsExactly("invoices", "invoice_lines", "payments", "expenses", "bills",
                "bill_lines", "bill_payments", "cash_movements", "clients", "vendors", "accounts", "expense_categories");
    }

    @Test
    void everyTableCarriesTenantAndLineage() {
        for (Table t : model.tables()) {
            List<String> names = t.columnNames();
            assertThat(names.get(0)).isEqualTo("tenant");
            assertThat(names.subList(names.size() - 4, names.size()))
                    .containsExactly("source_updated_utc", "sign", "pushed_at_utc", "batch_id");
            assertThat(t.column("sign").orElseThrow().dataType()).isEqualTo(DataType.INT64);
            assertThat(t.columns()).hasSizeLessThanOrEqualTo(75);
        }
    }

    @Test
    void everyMeasureMultipliesBySignOrSumsIt() {
        model.tables().forEach(t -> t.measures().forEach(m ->
                assertThat(m.expression()).as(m.name()).contains("[sign]")));
        assertThat(model.table("invoices").orElseThrow().measures()).extracting(DatasetModel.Measure::name)
                .contains("Invoice Amount", "Invoice Paid", "Invoice Outstanding", "Invoice Count",
                        "Outstanding Current", "Outstanding 1-30 Days", "Outstanding 31-60 Days",
                        "Outstanding 61-90 Days", "Outstanding 90+ Days");
    }

    @Test
    void createDatasetBodyHasThePowerBiShape() {
        JsonNode body = model.toCreateDatasetJson();

        assertThat(body.get("name").asString()).isEqualTo("FreshBooks Finance");
        assertThat(body.get("defaultMode").asString()).isEqualTo("Push");
        assertThat(body.get("tables")).hasSize(12);
        JsonNode invoices = body.get("tables").get(0);
        assertThat(invoices.get("name").asString()).isEqualTo("invoices");
        JsonNode amount = invoices.get("columns").get(model.table("invoices").orElseThrow().columnNames().indexOf("amount"));
        assertThat(amount.get("name").asString()).isEqualTo("amount");
        assertThat(amount.get("dataType").asString()).isEqualTo("Decimal");
        assertThat(invoices.get("measures").get(0).get("expression").asString())
                .isEqualTo("SUMX(invoices, invoices[amount] * invoices[sign])");
        JsonNode relationship = body.get("relationships").get(0);
        assertThat(relationship.get("fromTable").asString()).isEqualTo("invoices");
        assertThat(relationship.get("fromColumn").asString()).isEqualTo("client_key");
        assertThat(relationship.get("toTable").asString()).isEqualTo("clients");
        assertThat(relationship.get("toColumn").asString()).isEqualTo("client_key");
    }

    @Test
    void tablesWithoutMeasuresOmitTheField() {
        assertThat(DatasetModel.toTableJson(DatasetModel.ACCOUNTS).has("measures")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"invoices.v2", "a/b", "x:y", "[t]", ""})
    void refusesTableNamesPowerBiRejects(String name) {
        Table bad = new Table(name, List.of(new Column("c", DataType.STRING)), List.of());
        assertThatThrownBy(() -> new DatasetModel("d", List.of(bad), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesMoreThan75Columns() {
        List<Column> columns = new ArrayList<>();
        IntStream.range(0, 76).forEach(i -> columns.add(new Column("c" + i, DataType.STRING)));
        Table wide = new Table("wide", columns, List.of());
        assertThatThrownBy(() -> new DatasetModel("d", List.of(wide), List.of())).hasMessageContaining("75");
    }

    @Test
    void refusesRelationshipsToUnknownColumns() {
        Table t = new Table("t", List.of(new Column("c", DataType.STRING)), List.of());
        Relationship r = new Relationship("r", "t", "c", "t", "missing");
        assertThatThrownBy(() -> new DatasetModel("d", List.of(t), List.of(r))).hasMessageContaining("missing");
    }

    @Test
    void dataTypeNamesAreMatchedLikePowerBiDoes() {
        assertThat(DataType.fromPowerBiName("int64")).contains(DataType.INT64);
        assertThat(DataType.fromPowerBiName("bool")).contains(DataType.BOOLEAN);
        assertThat(DataType.fromPowerBiName("Datetime")).contains(DataType.DATETIME);
        assertThat(DataType.fromPowerBiName("Money")).isEmpty();
    }
}
