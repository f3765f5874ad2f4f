package io.mlconnector.sim.powerbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.sim.common.Json;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaValidatorTest {
    static final String SAMPLE = """
            {"name":"ConnectorEvents","defaultMode":"Push","tables":[
              {"name":"Events","columns":[{"name":"EventId","dataType":"Int64"},{"name":"Source","dataType":"string"},
                 {"name":"Amount","dataType":"Double","formatString":"0.00"},{"name":"Ok","dataType":"bool"},
                 {"name":"At","dataType":"dateTime"},{"name":"Money","dataType":"Decimal"}],
               "measures":[{"name":"Total","expression":"SUM(Events[Amount])"}]},
              {"name":"Sources","columns":[{"name":"Source","dataType":"String"}]}],
             "relationships":[{"name":"ev-src","fromTable":"Events","fromColumn":"Source","toTable":"Sources",
               "toColumn":"Source","crossFilteringBehavior":"bothDirections"}]}""";

    private final SchemaValidator validator = new SchemaValidator(PushLimits.DOCUMENTED);

    private DatasetDefinition parse(String json) {
        return validator.dataset(Json.MAPPER.readTree(json));
    }

    private void assertRefused(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(PowerBiApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void parsesTheReferenceExampleWithCaseInsensitiveTypeSpellings() {
        DatasetDefinition dataset = parse(SAMPLE);

        assertThat(dataset.name()).isEqualTo("ConnectorEvents");
        assertThat(dataset.table("Events").orElseThrow().columns())
                .extracting(DatasetDefinition.Column::dataType)
                .containsExactly(DataType.INT64, DataType.STRING, DataType.DOUBLE, DataType.BOOLEAN, DataType.DATETIME,
                        DataType.DECIMAL);
        assertThat(dataset.relationships().get(0).crossFilteringBehavior()).isEqualTo("BothDirections");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "a/b", "a:b", "a[b]", "a,b", "a'b", "a\\\"b", "a?b", "a{b}", "a|b", "a`b", "a!b",
            "a$b", "a%b", "a&b", "a(b)", "a*b", "a+b", "a;b", "a<b>", "a=b"})
    void refusesTableNamesWithDisallowedCharacters(String name) {
        assertThat(SchemaValidator.TABLE_NAME.matcher(name.replace("\\\"", "\"")).matches()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Events", "invoice lines", "a-b_c", "#1", "@x", "^~", "Übersicht", "表"})
    void acceptsAllowedTableNames(String name) {
        assertThat(SchemaValidator.TABLE_NAME.matcher(name).matches()).isTrue();
    }

    @Test
    void tableNamesAreAtMost100Characters() {
        assertThat(SchemaValidator.TABLE_NAME.matcher("t".repeat(100)).matches()).isTrue();
        assertThat(SchemaValidator.TABLE_NAME.matcher("t".repeat(101)).matches()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no name             | {"tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}]}]}                                       | dataset: 'name' is required and must be a non-empty string.
            no tables           | {"name":"D","tables":[]}                                                                                      | Dataset 'D' must have a non-empty 'tables' array.
            bad type            | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Money"}]}]}                             | Table 'T', column 'c': dataType 'Money' is not one of Int64, Double, Decimal, Boolean, DateTime, String.
            datatype key case   | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","datatype":"Int64"}]}]}                             | Table 'T', column 'c': 'dataType' is required.
            duplicate column    | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"},{"name":"C","dataType":"Int64"}]}]} | Table 'T': column name 'C' is used twice.
            duplicate table     | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}]},{"name":"t","columns":[{"name":"c","dataType":"Int64"}]}]} | Table name 't' is used twice.
            no columns          | {"name":"D","tables":[{"name":"T","columns":[]}]}                                                             | Table 'T' must have a non-empty 'columns' array.
            measure no expr     | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}],"measures":[{"name":"m"}]}]}    | Table 'T' measures[0] ('m'): 'expression' is required and must be a non-empty string.
            measure name clash  | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}],"measures":[{"name":"c","expression":"1"}]}]} | Table 'T': measure name 'c' is already used by a column or measure.
            sortBy unknown      | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64","sortByColumn":"x"}]}]}        | Table 'T': sortByColumn 'x' of column 'c' is not a column of the table.
            rel unknown table   | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}]}],"relationships":[{"name":"r","fromTable":"T","fromColumn":"c","toTable":"U","toColumn":"c"}]} | Relationship 'r' refers to table 'U', which is not in the dataset.
            rel unknown column  | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}]}],"relationships":[{"name":"r","fromTable":"T","fromColumn":"d","toTable":"T","toColumn":"c"}]} | Relationship 'r' refers to column 'd' of table 'T', which does not exist.
            rel bad filtering   | {"name":"D","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}]}],"relationships":[{"name":"r","fromTable":"T","fromColumn":"c","toTable":"T","toColumn":"c","crossFilteringBehavior":"Sideways"}]} | Relationship 'r': crossFilteringBehavior 'Sideways' is not one of [OneDirection, BothDirections, Automatic].
            not a push mode     | {"name":"D","defaultMode":"AsAzure","tables":[{"name":"T","columns":[{"name":"c","dataType":"Int64"}]}]}   | defaultMode 'AsAzure' is not a push dataset; the simulator supports [Push, PushStreaming].
            """)
    void refusesInvalidDefinitions(String name, String json, String message) {
        assertRefused(json, message.replace("\\\\", "\\"));
    }

    @Test
    void refusesABadTableNameInADefinition() {
        assertRefused("{\"name\":\"D\",\"tables\":[{\"name\":\"T.x\",\"columns\":[{\"name\":\"c\",\"dataType\":\"Int64\"}]}]}",
                "Table name 'T.x' is not valid: 1-100 characters, none of !\"$%&'()*+,./:;<=>?[\\]{|}`.");
    }

    @Test
    void enforcesSeventyFiveTablesColumnsAndRelationships() {
        String column = "{\"name\":\"c\",\"dataType\":\"Int64\"}";
        String tables76 = IntStream.range(0, 76).mapToObj(i -> "{\"name\":\"t" + i + "\",\"columns\":[" + column + "]}")
                .collect(Collectors.joining(","));
        assertRefused("{\"name\":\"D\",\"tables\":[" + tables76 + "]}", "Dataset 'D' has 76 tables; at most 75 are allowed.");
        assertThat(parse("{\"name\":\"D\",\"tables\":[" + tables76.substring(tables76.indexOf(",{") + 1) + "]}").tables())
                .hasSize(75);

        String columns76 = IntStream.range(0, 76).mapToObj(i -> "{\"name\":\"c" + i + "\",\"dataType\":\"Int64\"}")
                .collect(Collectors.joining(","));
        assertRefused("{\"name\":\"D\",\"tables\":[{\"name\":\"T\",\"columns\":[" + columns76 + "]}]}",
                "Table 'T' has 76 columns; at most 75 are allowed.");

        String relationships76 = IntStream.range(0, 76).mapToObj(i -> "{\"name\":\"r" + i
                + "\",\"fromTable\":\"T\",\"fromColumn\":\"c\",\"toTable\":\"T\",\"toColumn\":\"c\"}")
                .collect(Collectors.joining(","));
        assertRefused("{\"name\":\"D\",\"tables\":[{\"name\":\"T\",\"columns\":[" + column + "]}],\"relationships\":["
                + relationships76 + "]}", "The dataset has 76 relationships; at most 75 are allowed.");
    }

    @Test
    void errorsAreTheInvalidRequestEnvelope() {
        assertThatThrownBy(() -> parse("{\"name\":\"D\",\"tables\":[]}"))
                .isInstanceOfSatisfying(PowerBiApiException.class, e -> assertThat(e.body()).isEqualTo(Map.of("error",
                        Map.of("code", "InvalidRequest", "message", "Dataset 'D' must have a non-empty 'tables' array."))));
    }
}
