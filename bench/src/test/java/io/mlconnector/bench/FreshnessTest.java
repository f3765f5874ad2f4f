package io.mlconnector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    private static final Instant T = Instant.parse("2026-12-02T06:00:00Z");

    private static Instant at(long millis) {
        return T.plusMillis(millis);
    }

    @Test
    void eachChangeIsTimedToTheFirstRowsOfItsRecordAtOrAfterIt() {
        List<Freshness.Change> changes = List.of(
                new Freshness.Change(at(0), "invoice", 7),      // rows at 400 (an earlier arrival at -100 is another change's)
                new Freshness.Change(at(100), "payment", 9),    // rows at 1,100
                new Freshness.Change(at(200), "invoice", 7),    // coalesced with the first: also the rows at 400
                new Freshness.Change(at(300), "invoice", 8),    // nothing a row shows changed
                new Freshness.Change(at(300), "category", 3));  // no table of its own
        List<Freshness.Arrival> arrivals = List.of(
                new Freshness.Arrival(at(-100), "invoices", 7),
                new Freshness.Arrival(at(400), "invoices", 7),
                new Freshness.Arrival(at(1_100), "payments", 9),
                new Freshness.Arrival(at(50), "payments", 7)); // another table's id 7
        Freshness.Result result = Freshness.measure(changes, arrivals);
        assertThat(result.latencies()).containsExactly(Duration.ofMillis(400), Duration.ofMillis(1_000), Duration.ofMillis(200));
        assertThat(result.withoutRows()).isEqualTo(2);
        assertThat(result.percentile(0.5)).isEqualTo(Duration.ofMillis(400));
        assertThat(result.percentile(0.99)).isEqualTo(Duration.ofMillis(1_000));
        assertThat(result.max()).isEqualTo(Duration.ofMillis(1_000));
    }

    @Test
    void theQuotaBoundIsOnePostPerActiveTableAtTheDatasetsRate() {
        assertThat(Freshness.quotaBound(6, 120)).isEqualTo(Duration.ofSeconds(3));
        assertThat(Freshness.quotaBound(1, 120)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void clientsAndVendorsAreDimensionsTheRestFacts() {
        assertThat(Freshness.isDimension("client")).isTrue();
        assertThat(Freshness.isDimension("bill_vendor")).isTrue();
        assertThat(Freshness.isDimension("invoice")).isFalse();
        assertThat(Freshness.isDimension("category")).isFalse(); // no table of its own: counted with the facts, without rows
    }

    @Test
    void noLatenciesGiveZeroes() {
        Freshness.Result none = Freshness.measure(List.of(), List.of());
        assertThat(none.percentile(0.99)).isZero();
        assertThat(none.max()).isZero();
    }
}
