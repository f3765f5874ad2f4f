package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's closing table: a match is said to the cent, a difference names the measure and both values. */
class DemoProofTest {

    private static DemoProof.Totals totals(long count, String... sums) {
        Map<String, BigDecimal> map = new LinkedHashMap<>();
        for (int i = 0; i < sums.length; i += 2) {
            map.put(sums[i], new BigDecimal(sums[i + 1]));
        }
        return new DemoProof.Totals(count, map);
    }

    @Test
    void matchingTablesSaySoAndADifferenceNamesItsMeasure() {
        List<DemoProof.TableProof> proof = List.of(
                new DemoProof.TableProof("invoices", totals(12, "amount", "1250.50", "paid", "100.00"),
                        totals(12, "amount", "1250.5", "paid", "100")),
                new DemoProof.TableProof("payments", totals(3, "amount", "99.99"), totals(3, "amount", "99.98")),
                new DemoProof.TableProof("clients", totals(4), totals(5)));

        List<String> lines = DemoProof.render(proof);

        assertThat(lines.get(2)).startsWith("  invoices").contains("1250.50", "match to the cent (2 sums)");
        assertThat(lines.get(3)).startsWith("  payments").contains("DIFFERS: amount 99.99 vs 99.98");
        assertThat(lines.get(4)).startsWith("  clients").contains("DIFFERS: count 4 vs 5");
        assertThat(lines).last().asString().startsWith("Some tables differ");
        assertThat(DemoProof.allMatch(proof.subList(0, 1))).isTrue();
        assertThat(DemoProof.render(proof.subList(0, 1))).last().isEqualTo("Every table matches FreshBooks to the cent.");
    }
}
