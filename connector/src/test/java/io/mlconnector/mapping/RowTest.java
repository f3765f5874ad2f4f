package io.mlconnector.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

class RowTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "41.94, 41.94",
            "-4.40, -4.40",
            "7.60133524082021936099189318, 7.6013",
            "0.00005, 0.0000",
            "0.00015, 0.0002",
            "1E+3, 1000",
    })
    void decimalsGoOutWithAtMostFourPlaces(String in, String out) {
        assertThat(Row.powerBiDecimal(new BigDecimal(in)).toString()).isEqualTo(out);
    }

    @Test
    void pushJsonAddsThePipelineColumnsAndRendersTypes() {
        Row row = DatasetModel.PAYMENTS.newRow("10318")
                .set("tenant", "ACM123")
                .set("payment_id", 10318L)
                .set("amount", new BigDecimal("180.00"))
                .set("payment_date", Instant.parse("2019-04-19T00:00:00Z"))
                .set("from_credit", false)
                .set("source_updated_utc", Instant.parse("2019-04-24T18:22:18.123456Z"))
                .build();

        Map<String, Object> json = row.toPushJson(-1, Instant.parse("2025-03-01T10:00:00Z"), "batch-7");

        assertThat(json).containsEntry("sign", -1L)
                .containsEntry("pushed_at_utc", "2025-03-01T10:00:00Z")
                .containsEntry("batch_id", "batch-7")
                .containsEntry("payment_date", "2019-04-19T00:00:00Z")
                .containsEntry("source_updated_utc", "2019-04-24T18:22:18.123Z")
                .containsEntry("client_id", null);
        assertThat(json.keySet()).containsExactlyElementsOf(DatasetModel.PAYMENTS.columnNames());
        String text = JSON.writeValueAsString(json);
        assertThat(text).contains("\"amount\":180.00", "\"payment_id\":10318", "\"sign\":-1", "\"from_credit\":false");
    }

    @Test
    void signMustBePlusOrMinusOne() {
        Row row = DatasetModel.CLIENTS.newRow("1").set("tenant", "A").build();
        assertThatThrownBy(() -> row.toPushJson(0, Instant.EPOCH, "b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderRefusesUnknownColumnsAndWrongTypes() {
        assertThatThrownBy(() -> DatasetModel.CLIENTS.newRow("1").set("nickname", "x"))
                .hasMessageContaining("nickname");
        assertThatThrownBy(() -> DatasetModel.CLIENTS.newRow("1").set("client_id", 12))
                .hasMessageContaining("Long");
        assertThatThrownBy(() -> DatasetModel.CLIENTS.newRow("1").set("sign", 1L))
                .as("sign is the pipeline's").hasMessageContaining("sign");
    }

    @Test
    void rowsWithTheSameValuesAreEqualSoTheLedgerCanCompareVersions() {
        Row a = DatasetModel.CLIENTS.newRow("1").set("tenant", "A").set("organization", "X").build();
        Row b = DatasetModel.CLIENTS.newRow("1").set("tenant", "A").set("organization", "X").build();
        assertThat(a).isEqualTo(b);
    }
}
