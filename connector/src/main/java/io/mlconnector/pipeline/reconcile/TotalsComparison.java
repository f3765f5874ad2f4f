package io.mlconnector.pipeline.reconcile;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Control totals for one table (DESIGN §1): per tenant, the ledger's current rows (count, and the sum of each
 * money column) against Power BI's {@code SUM(sign)} and {@code SUM(column × sign)}. A pure function: what to
 * conclude from the two sides and from what of the table has not reached Power BI yet.
 */
public final class TotalsComparison {
    /** A table that differs in this many checks in a row, with nothing unsent at any of them, is rebuilt. */
    public static final int PERSISTS_AFTER = 2;

    private TotalsComparison() {
    }

    public enum Verdict {
        /** Both sides agree to the row and to the cent. */
        MATCH,
        /** Nothing waits for the table, yet Power BI holds something else than the ledger. */
        DIFFERS,
        /** Rows of the table wait (outbox, quarantine, a rebuild) or moved during the check: a difference is expected. */
        CATCHING_UP,
        /** Power BI could not be asked (Execute Queries refused or not reached): the detail says why. */
        UNAVAILABLE
    }

    /** A tenant's totals in one table: its current rows (SUM(sign)) and SUM(column × sign) per money column. */
    public record Totals(long count, Map<String, BigDecimal> sums) {
        public static final Totals NONE = new Totals(0, Map.of());

        public Totals {
            sums = Map.copyOf(sums);
        }

        public BigDecimal sum(String column) {
            return sums.getOrDefault(column, BigDecimal.ZERO);
        }
    }

    /**
     * What of the table has not reached Power BI: rows not accepted yet (unbatched, pending, posting, quarantined),
     * a rebuild waiting to clear it, or rows written or sent while the check ran.
     */
    public record Backlog(long unsentRows, boolean rebuildPending, boolean movedDuringCheck) {
        public static final Backlog NONE = new Backlog(0, false, false);

        public boolean quiet() {
            return unsentRows == 0 && !rebuildPending && !movedDuringCheck;
        }

        String describe() {
            return rebuildPending ? "a rebuild of the table is pending"
                    : unsentRows > 0 ? unsentRows + " rows not in Power BI yet"
                    : "rows moved while the check ran";
        }
    }

    /** Power BI's side of one table: the tenants' totals, or why they could not be had (then totals is null). */
    public record PowerBiSide(Map<String, Totals> totals, String unavailableReason) {
        public static PowerBiSide answered(Map<String, Totals> totals) {
            return new PowerBiSide(Map.copyOf(totals), null);
        }

        public static PowerBiSide unavailable(String reason) {
            return new PowerBiSide(null, reason);
        }
    }

    /** One measure that differs: {@code count}, or a money column's sum. */
    public record Difference(String measure, BigDecimal ledger, BigDecimal powerBi) {}

    /** One tenant's verdict in one table. */
    public record TenantVerdict(String tenant, Verdict verdict, long ledgerCount, Long powerBiCount,
                                List<Difference> differences, String detail) {
        public TenantVerdict {
            differences = List.copyOf(differences);
        }
    }

    /**
     * @param moneyColumns the table's money ({@code Decimal}) columns
     * @param tenants      tenants to report even when neither side has rows of theirs
     * @param ledger       the ledger's totals by tenant (a missing tenant has none)
     * @return one verdict per tenant of {@code tenants}, the ledger or Power BI, in tenant order
     */
    public static List<TenantVerdict> compare(List<String> moneyColumns, Set<String> tenants, Map<String, Totals> ledger,
                                              PowerBiSide powerBi, Backlog backlog) {
        Set<String> all = new TreeSet<>(tenants);
        all.addAll(ledger.keySet());
        if (powerBi.totals() != null) {
            all.addAll(powerBi.totals().keySet());
        }
        List<TenantVerdict> verdicts = new ArrayList<>();
        for (String tenant : all) {
            Totals ours = ledger.getOrDefault(tenant, Totals.NONE);
            if (!backlog.quiet()) {
                verdicts.add(new TenantVerdict(tenant, Verdict.CATCHING_UP, ours.count(), null, List.of(), backlog.describe()));
                continue;
            }
            if (powerBi.totals() == null) {
                verdicts.add(new TenantVerdict(tenant, Verdict.UNAVAILABLE, ours.count(), null, List.of(),
                        powerBi.unavailableReason()));
                continue;
            }
            Totals theirs = powerBi.totals().getOrDefault(tenant, Totals.NONE);
            List<Difference> differences = new ArrayList<>();
            if (ours.count() != theirs.count()) {
                differences.add(new Difference("count", BigDecimal.valueOf(ours.count()), BigDecimal.valueOf(theirs.count())));
            }
            for (String column : moneyColumns) {
                if (ours.sum(column).compareTo(theirs.sum(column)) != 0) {
                    differences.add(new Difference(column, ours.sum(column), theirs.sum(column)));
                }
            }
            verdicts.add(new TenantVerdict(tenant, differences.isEmpty() ? Verdict.MATCH : Verdict.DIFFERS, ours.count(),
                    theirs.count(), differences, null));
        }
        return verdicts;
    }

    /**
     * In how many checks in a row the table has differed, now: one more than before when a tenant differs, else 0.
     * A check that could not compare (rows waiting, Power BI not asked) breaks the row: the difference may be new.
     */
    public static int differingChecks(int before, List<TenantVerdict> now) {
        return now.stream().anyMatch(v -> v.verdict() == Verdict.DIFFERS) ? before + 1 : 0;
    }

    /** Whether a difference has persisted long enough to rebuild the table from the ledger. */
    public static boolean persists(int differingChecks) {
        return differingChecks >= PERSISTS_AFTER;
    }
}
