package io.mlconnector.pipeline.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.pipeline.reconcile.TotalsComparison.Backlog;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Difference;
import io.mlconnector.pipeline.reconcile.TotalsComparison.PowerBiSide;
import io.mlconnector.pipeline.reconcile.TotalsComparison.TenantVerdict;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Totals;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The control totals verdict for one table: ledger totals + Power BI totals + what waits → verdict per tenant. */
class TotalsComparisonTest {
    private static final List<String> MONEY = List.of("amount", "paid");
    private static final Totals ACME = totals(12, "1200.00", "300.50");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("same count and sums", ACME, PowerBiSide.answered(Map.of("ACM", totals(12, "1200", "300.5"))),
                        Backlog.NONE, Verdict.MATCH, List.of()),
                Arguments.of("a row missing in Power BI", ACME,
                        PowerBiSide.answered(Map.of("ACM", totals(11, "1100.00", "300.50"))), Backlog.NONE, Verdict.DIFFERS,
                        List.of(diff("count", "12", "11"), diff("amount", "1200.00", "1100.00"))),
                Arguments.of("one cent off in one column", ACME,
                        PowerBiSide.answered(Map.of("ACM", totals(12, "1200.00", "300.49"))), Backlog.NONE, Verdict.DIFFERS,
                        List.of(diff("paid", "300.50", "300.49"))),
                Arguments.of("Power BI has nothing of the tenant (BLANK)", ACME, PowerBiSide.answered(Map.of()), Backlog.NONE,
                        Verdict.DIFFERS, List.of(diff("count", "12", "0"), diff("amount", "1200.00", "0"),
                                diff("paid", "300.50", "0"))),
                Arguments.of("rows wait in the outbox", ACME, PowerBiSide.answered(Map.of()), new Backlog(3, false, false),
                        Verdict.CATCHING_UP, List.of()),
                Arguments.of("a rebuild is pending", ACME, PowerBiSide.answered(Map.of()), new Backlog(0, true, false),
                        Verdict.CATCHING_UP, List.of()),
                Arguments.of("rows moved while the check ran", ACME, PowerBiSide.answered(Map.of()),
                        new Backlog(0, false, true), Verdict.CATCHING_UP, List.of()),
                Arguments.of("Execute Queries refused", ACME, PowerBiSide.unavailable("Execute Queries answered 401"),
                        Backlog.NONE, Verdict.UNAVAILABLE, List.of()),
                Arguments.of("rows wait and Power BI cannot be asked", ACME, PowerBiSide.unavailable("401"),
                        new Backlog(3, false, false), Verdict.CATCHING_UP, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdict(String name, Totals ledger, PowerBiSide powerBi, Backlog backlog, Verdict verdict,
                 List<Difference> differences) {
        List<TenantVerdict> verdicts = TotalsComparison.compare(MONEY, Set.of("ACM"), Map.of("ACM", ledger), powerBi, backlog);

        assertThat(verdicts).singleElement().satisfies(v -> {
            assertThat(v.tenant()).isEqualTo("ACM");
            assertThat(v.verdict()).isEqualTo(verdict);
            assertThat(v.ledgerCount()).isEqualTo(12);
            assertThat(v.differences()).usingRecursiveFieldByFieldElementComparator(
                    org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration.builder()
                            .withComparatorForType(BigDecimal::compareTo, BigDecimal.class).build())
                    .containsExactlyElementsOf(differences);
            assertThat(v.detail() != null).as("a verdict that did not compare says why")
                    .isEqualTo(verdict == Verdict.CATCHING_UP || verdict == Verdict.UNAVAILABLE);
        });
    }

    @Test
    void everyTenantOfEitherSideIsReportedAndOneOnlyInPowerBiDiffers() {
        List<TenantVerdict> verdicts = TotalsComparison.compare(MONEY, Set.of("GLX"), Map.of("ACM", ACME),
                PowerBiSide.answered(Map.of("ACM", ACME, "INI", totals(1, "5", "0"))), Backlog.NONE);

        assertThat(verdicts).extracting(TenantVerdict::tenant, TenantVerdict::verdict).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ACM", Verdict.MATCH),
                org.assertj.core.groups.Tuple.tuple("GLX", Verdict.MATCH),
                org.assertj.core.groups.Tuple.tuple("INI", Verdict.DIFFERS));
    }

    @Test
    void aDifferencePersistsWhenTwoChecksInARowFindIt() {
        List<TenantVerdict> differs = TotalsComparison.compare(MONEY, Set.of(), Map.of("ACM", ACME),
                PowerBiSide.answered(Map.of()), Backlog.NONE);
        List<TenantVerdict> catchingUp = TotalsComparison.compare(MONEY, Set.of(), Map.of("ACM", ACME),
                PowerBiSide.answered(Map.of()), new Backlog(1, false, false));
        List<TenantVerdict> matches = TotalsComparison.compare(MONEY, Set.of(), Map.of("ACM", ACME),
                PowerBiSide.answered(Map.of("ACM", ACME)), Backlog.NONE);

        int first = TotalsComparison.differingChecks(0, differs);
        assertThat(TotalsComparison.persists(first)).isFalse();
        int second = TotalsComparison.differingChecks(first, differs);
        assertThat(TotalsComparison.persists(second)).isTrue();
        assertThat(TotalsComparison.differingChecks(first, catchingUp)).as("rows waited in between").isZero();
        assertThat(TotalsComparison.differingChecks(first, matches)).isZero();
    }

    private static Totals totals(long count, String amount, String paid) {
        return new Totals(count, Map.of("amount", new BigDecimal(amount), "paid", new BigDecimal(paid)));
    }

    private static Difference diff(String measure, String ledger, String powerBi) {
        return new Difference(measure, new BigDecimal(ledger), new BigDecimal(powerBi));
    }
}
