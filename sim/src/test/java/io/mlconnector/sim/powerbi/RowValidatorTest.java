package io.mlconnector.sim.powerbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.sim.powerbi.DatasetDefinition.Column;
import io.mlconnector.sim.powerbi.DatasetDefinition.Table;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RowValidatorTest {
    private static final Table EVENTS = new Table("Events", List.of(
            new Column("Id", DataType.INT64, null, null, false),
            new Column("Amount", DataType.DOUBLE, null, null, false),
            new Column("Money", DataType.DECIMAL, null, null, false),
            new Column("Ok", DataType.BOOLEAN, null, null, false),
            new Column("At", DataType.DATETIME, null, null, false),
            new Column("Name", DataType.STRING, null, null, false)), List.of());

    private final RowValidator validator = new RowValidator(PushLimits.DOCUMENTED);

    private List<Map<String, Object>> validate(String body, boolean lenient) {
        return validator.validate(validator.parse(body.getBytes(StandardCharsets.UTF_8)), EVENTS, lenient);
    }

    private static void assertRefused(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(PowerBiApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.body()).isEqualTo(Map.of("error", Map.of("code", "InvalidRequest", "message", message)));
        });
    }

    @Test
    void convertsEveryTypeAndLeavesNullsAndMissingValuesBlank() {
        List<Map<String, Object>> rows = validate("""
                {"rows":[{"Id":42,"Amount":12.5,"Money":"1".length,"Ok":true,"At":"2026-03-01T10:00:00Z","Name":"x"},
                         {"Id":-1,"Amount":7,"Money":19.99,"Ok":false,"At":null}]}""".replace("\"1\".length", "3"), false);

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("Id", 42L).containsEntry("Amount", 12.5)
                .containsEntry("Money", new BigDecimal("3")).containsEntry("Ok", true)
                .containsEntry("At", "2026-03-01T10:00:00Z").containsEntry("Name", "x");
        assertThat(rows.get(1)).containsEntry("Amount", 7.0).containsEntry("Money", new BigDecimal("19.99"))
                .doesNotContainKeys("At", "Name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-03-01T10:00:00Z", "2026-03-01T10:00:00.123Z", "2026-03-01T10:00:00+02:00",
            "2026-03-01T10:00:00", "2026-03-01T10:00:00.5", "2026-03-01 10:00:00", "03/01/2026", "2026-03-01",
            "2024-05-01T12:34Z"})
    void acceptsTheDocumentedDateTimeForms(String value) {
        assertThat(RowValidator.isAcceptedDateTime(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2026-13-01T00:00:00Z", "1/2/26", "2026-03-01T25:00:00", ""})
    void refusesOtherDateTimes(String value) {
        assertThat(RowValidator.isAcceptedDateTime(value)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown column         | {"rows":[{"Id":1},{"Id":2,"Nope":1}]}   | Row 1: column 'Nope' does not exist in table 'Events'.
            column name case       | {"rows":[{"id":1}]}                     | Row 0: column 'id' does not exist in table 'Events'.
            Int64 as string        | {"rows":[{"Id":"1"}]}                   | Row 0, column 'Id' (Int64): expected a JSON integer, got "1".
            Int64 as fraction      | {"rows":[{"Id":1.5}]}                   | Row 0, column 'Id' (Int64): expected a JSON integer, got 1.5.
            Int64.MaxValue         | {"rows":[{"Id":9223372036854775807}]}   | Row 0, column 'Id' (Int64): 9223372036854775807 is out of range; Int64 values must lie strictly between Int64.MinValue and Int64.MaxValue.
            Int64.MinValue         | {"rows":[{"Id":-9223372036854775808}]}  | Row 0, column 'Id' (Int64): -9223372036854775808 is out of range; Int64 values must lie strictly between Int64.MinValue and Int64.MaxValue.
            beyond Int64           | {"rows":[{"Id":99999999999999999999}]}  | Row 0, column 'Id' (Int64): 99999999999999999999 is out of range; Int64 values must lie strictly between Int64.MinValue and Int64.MaxValue.
            Double as string       | {"rows":[{"Amount":"NaN"}]}             | Row 0, column 'Amount' (Double): expected a JSON number, got "NaN".
            Double overflow        | {"rows":[{"Amount":1e400}]}             | Row 0, column 'Amount' (Double): 1E+400 is out of range for Double (Double.MaxValue, Double.MinValue and infinities are not allowed).
            Decimal scale          | {"rows":[{"Money":0.12345}]}            | Row 0, column 'Money' (Decimal): 0.12345 does not fit Decimal (precision 28, scale 4).
            Decimal as string      | {"rows":[{"Money":"1.00"}]}             | Row 0, column 'Money' (Decimal): expected a JSON number, got "1.00".
            Boolean as string      | {"rows":[{"Ok":"true"}]}                | Row 0, column 'Ok' (Boolean): expected true or false, got "true".
            DateTime as number     | {"rows":[{"At":1700000000}]}            | Row 0, column 'At' (DateTime): expected a date-time string (ISO 8601, 'yyyy-MM-dd HH:mm:ss' or 'MM/dd/yyyy'), got 1700000000.
            String as number       | {"rows":[{"Name":5}]}                   | Row 0, column 'Name' (String): expected a JSON string, got 5.
            row not an object      | {"rows":[{"Id":1},[1]]}                 | Row 1 is not a JSON object.
            bare array             | [{"Id":1}]                              | Did not encounter start array token or start object token for rowset
            no rows property       | {"Id":1}                                | Did not encounter start array token or start object token for rowset
            rows not an array      | {"rows":{"Id":1}}                       | Did not encounter start array token or start object token for rowset
            """)
    void refusesTheWholeRequestNamingRowAndColumn(String name, String body, String message) {
        assertRefused(() -> validate(body, false), message);
    }

    @Test
    void refusesStringsLongerThan4000Characters() {
        String ok = "a".repeat(4000);
        assertThat(validate("{\"rows\":[{\"Name\":\"" + ok + "\"}]}", false)).hasSize(1);
        assertRefused(() -> validate("{\"rows\":[{\"Id\":1},{\"Name\":\"" + ok + "b\"}]}", false),
                "Row 1, column 'Name' (String): the string has 4001 characters; at most 4000 are allowed.");
    }

    @Test
    void refusesMoreThan10000Rows() {
        String tenThousand = "{\"rows\":[" + "{\"Id\":1},".repeat(9_999) + "{\"Id\":1}]}";
        assertThat(validate(tenThousand, false)).hasSize(10_000);
        String more = "{\"rows\":[" + "{\"Id\":1},".repeat(10_000) + "{\"Id\":1}]}";
        assertRefused(() -> validate(more, false), "The request has 10001 rows; at most 10000 rows are allowed per request.");
    }

    @Test
    void refusesBodiesOverTheSizeLimitAndMalformedJson() {
        RowValidator small = new RowValidator(PushLimits.DOCUMENTED.withMaxBodyBytes(20));
        assertRefused(() -> small.parse("{\"rows\":[{\"Id\":12345}]}".getBytes(StandardCharsets.UTF_8)),
                "The request body is 23 bytes; at most 20 bytes are allowed per request.");
        assertThatThrownBy(() -> validator.parse("{\"rows\":[".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(PowerBiApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> validator.parse("{\"rows\":[{\"Id\":1,\"Id\":2}]}".getBytes(StandardCharsets.UTF_8)))
                .as("duplicate property").isInstanceOf(PowerBiApiException.class);
    }

    @Test
    void lenientModeIgnoresUnknownColumnsButStillChecksTypes() {
        assertThat(validate("{\"rows\":[{\"Id\":1,\"Nope\":\"x\"}]}", true)).containsExactly(Map.of("Id", 1L));
        assertRefused(() -> validate("{\"rows\":[{\"Id\":\"x\",\"Nope\":1}]}", true),
                "Row 0, column 'Id' (Int64): expected a JSON integer, got \"x\".");
    }
}
