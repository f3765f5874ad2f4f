package io.mlconnector.sim.powerbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.sim.powerbi.DatasetDefinition.Column;
import io.mlconnector.sim.powerbi.DatasetDefinition.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The DAX shapes Execute Queries answers (reference §8), and what it refuses. */
class DaxQueryTest {
    private static final DatasetDefinition MODEL = new DatasetDefinition("m", "Push", List.of(
            new Table("invoices", List.of(column("batch_id", DataType.STRING), column("tenant", DataType.STRING),
                    column("amount", DataType.DECIMAL), column("sign", DataType.INT64), column("rate", DataType.DOUBLE)),
                    List.of()),
            new Table("it's", List.of(column("a]b", DataType.INT64)), List.of())), List.of());

    private final Map<String, List<StoredRow>> rows = new HashMap<>();

    private static Column column(String name, DataType type) {
        return new Column(name, type, null, null, false);
    }

    private static StoredRow row(Object... keyValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new StoredRow(1, "r", Instant.EPOCH, values);
    }

    private Map<String, Object> run(String query, boolean includeNulls) {
        return DaxQuery.parse(query).evaluate(MODEL, name -> rows.getOrDefault(name, List.of()), includeNulls);
    }

    private static void assertDaxError(Runnable query, String message) {
        assertThatThrownBy(query::run).isInstanceOfSatisfying(PowerBiApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
            assertThat(e.body().toString()).contains("DatasetExecuteQueriesError", "DetailsMessage");
        });
    }

    @Test
    void countsTheRowsOfABatch() {
        rows.put("invoices", List.of(row("batch_id", "abc"), row("batch_id", "ABC"), row("batch_id", "x"), row("tenant", "T1"),
                row("batch_id", "abc")));

        assertThat(run("EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] = \"abc\")))", true))
                .as("DAX compares text case-insensitively").containsExactly(Map.entry("[n]", BigDecimal.valueOf(3)));
        assertThat(run("evaluate   row ( \"n\" ,countrows( 'INVOICES' ) )", true)).containsEntry("[n]", BigDecimal.valueOf(5));
    }

    @Test
    void anEmptyCountIsBlankShownAsNullOnlyWithIncludeNulls() {
        String query = "EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] = \"none\")))";

        assertThat(run(query, true)).containsEntry("[n]", null).hasSize(1);
        assertThat(run(query, false)).isEmpty();
    }

    @Test
    void controlTotalsAreExactAndSkipBlanks() {
        rows.put("invoices", List.of(
                row("tenant", "T1", "amount", new BigDecimal("10.10"), "sign", 1L),
                row("tenant", "T1", "amount", new BigDecimal("10.10"), "sign", -1L),
                row("tenant", "T1", "amount", new BigDecimal("0.2"), "sign", 1L),
                row("tenant", "T2", "amount", new BigDecimal("99"), "sign", 1L),
                row("tenant", "T1", "sign", 1L))); // blank amount: BLANK * 1 is BLANK, skipped by SUMX

        Map<String, Object> all = run("EVALUATE ROW(\"n\", SUM('invoices'[sign]), \"s\", SUMX('invoices', "
                + "'invoices'[amount] * 'invoices'[sign]))", true);
        Map<String, Object> t1 = run("EVALUATE ROW(\"n\", SUMX(FILTER('invoices', 'invoices'[tenant] = \"T1\"), "
                + "'invoices'[sign]), \"s\", SUMX(FILTER('invoices', 'invoices'[tenant] = \"T1\"), 'invoices'[amount]"
                + " * 'invoices'[sign]))", true);

        assertThat(all).containsExactly(Map.entry("[n]", new BigDecimal("3")), Map.entry("[s]", new BigDecimal("99.2")));
        assertThat(t1).containsExactly(Map.entry("[n]", new BigDecimal("2")), Map.entry("[s]", new BigDecimal("0.2")));
        assertThat(run("EVALUATE ROW(\"s\", SUMX(FILTER('invoices', 'invoices'[tenant] = \"T9\"), 'invoices'[sign]))", true))
                .containsEntry("[s]", null);
    }

    @Test
    void doublesSumAsTheirShortestDecimal() {
        rows.put("invoices", List.of(row("rate", 0.1), row("rate", 0.2)));

        assertThat(run("EVALUATE ROW(\"r\", SUM('invoices'[rate]))", true)).containsEntry("[r]", new BigDecimal("0.3"));
    }

    @Test
    void quotesAreEscapedByDoubling() {
        rows.put("it's", List.of(row("a]b", 4L), row("a]b", 5L)));
        rows.put("invoices", List.of(row("batch_id", "say \"hi\"")));

        assertThat(run("EVALUATE ROW(\"x\", SUM('it''s'[a]]b]))", true)).containsEntry("[x]", BigDecimal.valueOf(9));
        assertThat(run("EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] = \"say \"\"hi\"\"\")))", true))
                .containsEntry("[n]", BigDecimal.ONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "EVALUATE 'invoices'",
        "EVALUATE ROW(\"n\", COUNTROWS('invoices'))  x",
        "EVALUATE ROW(\"n\", COUNTROWS('invoices')",
        "EVALUATE ROW(\"n\", COUNT('invoices'[sign]))",
        "EVALUATE ROW(\"n\", COUNTROWS(invoices))",
        "EVALUATE ROW(\"n\", SUM(invoices[sign]))",
        "EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] <> \"a\")))",
        "EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] = 'a')))",
        "EVALUATE ROW(\"n\", SUMX('invoices', 'invoices'[amount] + 'invoices'[sign]))",
        "EVALUATE ROW('n', COUNTROWS('invoices'))",
        "DEFINE MEASURE 'invoices'[m] = 1 EVALUATE ROW(\"n\", COUNTROWS('invoices'))",
    })
    void refusesEverythingOutsideTheGrammar(String query) {
        assertDaxError(() -> DaxQuery.parse(query), "The syntax for");
    }

    @Test
    void refusesUnknownTablesColumnsAndMixedOrWronglyTypedColumns() {
        assertDaxError(() -> run("EVALUATE ROW(\"n\", COUNTROWS('bills'))", true), "Cannot find table 'bills'.");
        assertDaxError(() -> run("EVALUATE ROW(\"n\", SUM('invoices'[total]))", true),
                "Column 'total' in table 'invoices' cannot be found");
        assertDaxError(() -> run("EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[sign] = \"1\")))", true),
                "comparing values of type Integer with values of type Text");
        assertDaxError(() -> run("EVALUATE ROW(\"n\", SUM('invoices'[tenant]))", true),
                "The function SUM cannot work with values of type String.");
        assertDaxError(() -> DaxQuery.parse("EVALUATE ROW(\"n\", SUMX('invoices', 'it''s'[a]]b]))"), "of another table");
        assertDaxError(() -> DaxQuery.parse("EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'it''s'[a]]b] = \"1\")))"),
                "of another table");
        assertDaxError(() -> DaxQuery.parse("EVALUATE ROW(\"n\", SUM('invoices'[sign]), \"N\", SUM('invoices'[sign]))"),
                "used twice");
    }
}
