package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.JsonNodeFactory;

class FreshBooksValuesTest {

    @ParameterizedTest(name = "{0} Eastern = {1}")
    @CsvSource({
            // reference §7 examples
            "2019-11-14 11:27:45, 2019-11-14T16:27:45Z",
            "2021-04-16 10:31:59, 2021-04-16T14:31:59Z",
            // spring forward 2021-03-14: 02:00 EST → 03:00 EDT
            "2021-03-14 01:59:59, 2021-03-14T06:59:59Z",
            "2021-03-14 03:00:00, 2021-03-14T07:00:00Z",
            // 02:30 does not exist that day; moved forward by the gap (03:30 EDT)
            "2021-03-14 02:30:00, 2021-03-14T07:30:00Z",
            // fall back 2021-11-07: 01:00–01:59 happens twice; the earlier offset (EDT) wins
            "2021-11-07 00:59:59, 2021-11-07T04:59:59Z",
            "2021-11-07 01:30:00, 2021-11-07T05:30:00Z",
            "2021-11-07 02:00:00, 2021-11-07T07:00:00Z",
            // winter
            "2024-01-31 23:59:59, 2024-02-01T04:59:59Z",
    })
    void easternWallTimeIsDstAware(String wall, String utc) {
        assertThat(FreshBooksValues.easternWallTime(wall)).isEqualTo(Instant.parse(utc));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'{\"amount\":\"41.94\",\"code\":\"CAD\"}', 41.94",
            "'{\"amount\":\"-4.40\",\"code\":\"CAD\"}', -4.40",
            "'{\"amount\":\"7.60133524082021936099189318\",\"code\":\"CAD\"}', 7.60133524082021936099189318",
            "'{\"amount\":\"0.1\",\"code\":\"USD\"}', 0.1",
    })
    void moneyIsExact(String money, String amount) {
        BigDecimal parsed = FreshBooksValues.money(json(money));
        assertThat(parsed).isEqualTo(new BigDecimal(amount));
        assertThat(parsed.scale()).isEqualTo(new BigDecimal(amount).scale());
    }

    @Test
    void moneyCodeIsTheCurrency() {
        assertThat(FreshBooksValues.moneyCode(json("{\"amount\":\"1.00\",\"code\":\"EUR\"}"))).isEqualTo("EUR");
        assertThat(FreshBooksValues.moneyCode(null)).isNull();
    }

    @Test
    void otherTimeFormats() {
        assertThat(FreshBooksValues.utcWallTime("2021-06-16 18:05:07")).isEqualTo(Instant.parse("2021-06-16T18:05:07Z"));
        assertThat(FreshBooksValues.isoInstant(json("\"2023-04-27T14:33:48.841075Z\"")))
                .isEqualTo(Instant.parse("2023-04-27T14:33:48.841075Z"));
        assertThat(FreshBooksValues.isoInstant(json("\"2023-04-27T10:33:48-04:00\"")))
                .isEqualTo(Instant.parse("2023-04-27T14:33:48Z"));
        assertThat(FreshBooksValues.date("2021-04-16")).isEqualTo(Instant.parse("2021-04-16T00:00:00Z"));
        assertThat(FreshBooksValues.weekStart(Instant.parse("2021-06-20T00:00:00Z"))) // a Sunday
                .isEqualTo(Instant.parse("2021-06-14T00:00:00Z"));
        assertThat(FreshBooksValues.weekStart(Instant.parse("2021-06-14T00:00:00Z"))) // a Monday
                .isEqualTo(Instant.parse("2021-06-14T00:00:00Z"));
    }

    @Test
    void numberLikeStrings() {
        assertThat(FreshBooksValues.decimal(json("\"4\""))).isEqualTo(new BigDecimal("4"));
        assertThat(FreshBooksValues.decimal(json("12.5"))).isEqualTo(new BigDecimal("12.5"));
        assertThat(FreshBooksValues.integer(json("\"987654\""))).isEqualTo(987654L);
        assertThat(FreshBooksValues.integer(json("987654"))).isEqualTo(987654L);
        assertThat(FreshBooksValues.optionalId(json("0"))).isNull();
        assertThat(FreshBooksValues.bool(json("1"))).isTrue();
        assertThat(FreshBooksValues.bool(json("\"false\""))).isFalse();
    }

    @Test
    void absentValuesAreNull() {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        assertThat(FreshBooksValues.money(nodes.nullNode())).isNull();
        assertThat(FreshBooksValues.money(null)).isNull();
        assertThat(FreshBooksValues.easternWallTime(nodes.missingNode())).isNull();
        assertThat(FreshBooksValues.date(nodes.stringNode(""))).isNull();
        assertThat(FreshBooksValues.text(nodes.stringNode(" "))).isNull();
    }

    @Test
    void longTextIsCutToPowerBisLimit() {
        String longNote = "x".repeat(5_000);
        assertThat(FreshBooksValues.text(JsonNodeFactory.instance.stringNode(longNote))).hasSize(4_000);
    }

    @Test
    void longTextIsNeverCutInsideASurrogatePair() {
        // Characters 4,000 and 4,001 (UTF-16 units) are one emoji: keeping only its high half would leave a lone
        // surrogate, which the UTF-8 request body turns into '?' (found by PushRowsIT against the simulator).
        String note = "x" + "\uD83D\uDE00".repeat(2_000);
        String cut = FreshBooksValues.text(JsonNodeFactory.instance.stringNode(note));
        assertThat(cut).hasSize(3_999).isEqualTo(note.substring(0, 3_999));
        assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 1))).isFalse();
        String even = "\uD83D\uDE00".repeat(2_500);
        assertThat(FreshBooksValues.text(JsonNodeFactory.instance.stringNode(even))).isEqualTo(even.substring(0, 4_000));
    }

    @Test
    void unreadableValuesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> FreshBooksValues.money(json("{\"amount\":\"12,50\",\"code\":\"EUR\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12,50");
        assertThatThrownBy(() -> FreshBooksValues.easternWallTime("2021-04-16T10:31:58"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2021-04-16T10:31:58");
        assertThatThrownBy(() -> FreshBooksValues.date("16/04/2021")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FreshBooksValues.integer(json("\"abc\""))).isInstanceOf(IllegalArgumentException.class);
    }
}
