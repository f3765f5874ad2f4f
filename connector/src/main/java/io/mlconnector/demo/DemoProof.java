package io.mlconnector.demo;

import io.mlconnector.sim.freshbooks.TableTotals;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How the demo ends: it waits until nothing waits (bounded), then prints per table FreshBooks' own totals (the
 * simulator's records, not the connector's ledger) beside the totals of the rows Power BI holds, and whether each
 * matches to the cent.
 */
public final class DemoProof {

    /** Per table, FreshBooks' money fields (wire names) and the Power BI columns they land in. */
    static final Map<String, Map<String, String>> MONEY_COLUMNS = moneyColumns();

    /** What the connector reports: what still waits, the dataset, the connected businesses. */
    public record Snapshot(long eventsWaiting, long rowsWaiting, String datasetId, List<String> tenantIds) {
        boolean drained() {
            return eventsWaiting == 0 && rowsWaiting == 0;
        }
    }

    /** One table's count and sums on one side; sums keyed by FreshBooks' field name. */
    public record Totals(long count, Map<String, BigDecimal> sums) {}

    /** One table, both sides. */
    public record TableProof(String table, Totals freshBooks, Totals powerBi) {
        public boolean matches() {
            if (freshBooks.count() != powerBi.count()) {
                return false;
            }
            for (Map.Entry<String, BigDecimal> sum : freshBooks.sums().entrySet()) {
                BigDecimal other = powerBi.sums().getOrDefault(sum.getKey(), BigDecimal.ZERO);
                if (sum.getValue().compareTo(other) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private final DemoWorld world;
    private final PrintStream out;
    private final Clock clock;

    public DemoProof(DemoWorld world, PrintStream out, Clock clock) {
        this.world = world;
        this.out = out;
        this.clock = clock;
    }

    /**
     * Waits (at most {@code timeout}) until nothing waits and both sides agree, then prints the table; true when every
     * table matches. Webhooks still on their way from FreshBooks arrive during the wait, so agreeing is waited for too.
     */
    public boolean drainAndCompare(Supplier<Snapshot> connector, Duration timeout) throws InterruptedException {
        out.println("Draining: waiting until no event and no row waits (at most " + timeout.toSeconds() + " s)...");
        Instant end = clock.instant().plus(timeout);
        Snapshot snapshot = connector.get();
        List<TableProof> proof = compare(snapshot);
        while (!(snapshot.drained() && allMatch(proof)) && clock.instant().isBefore(end)) {
            Thread.sleep(500);
            snapshot = connector.get();
            proof = snapshot.drained() ? compare(snapshot) : proof;
        }
        if (!snapshot.drained()) {
            out.println("Not drained after " + timeout.toSeconds() + " s: " + snapshot.eventsWaiting() + " events and "
                    + snapshot.rowsWaiting() + " rows still wait (mlc status says why and what clears it). Totals so far:");
            proof = compare(snapshot);
        }
        render(proof).forEach(out::println);
        return snapshot.drained() && allMatch(proof);
    }

    List<TableProof> compare(Snapshot snapshot) {
        List<TableProof> tables = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> table : MONEY_COLUMNS.entrySet()) {
            long fbCount = 0;
            Map<String, BigDecimal> fbSums = zeros(table.getValue().keySet());
            for (String tenant : snapshot.tenantIds()) {
                TableTotals totals = world.freshBooks().truth(tenant).table(table.getKey());
                fbCount += totals.count();
                table.getValue().keySet().forEach(field -> fbSums.merge(field, totals.sum(field), BigDecimal::add));
            }
            long pbiCount = 0;
            Map<String, BigDecimal> pbiSums = zeros(table.getValue().keySet());
            List<Map<String, Object>> rows = snapshot.datasetId() == null ? List.of()
                    : world.simulators().powerBi().rows(snapshot.datasetId(), table.getKey());
            for (Map<String, Object> row : rows) {
                if (!snapshot.tenantIds().contains(String.valueOf(row.get("tenant")))) {
                    continue;
                }
                long sign = ((Number) row.get("sign")).longValue();
                pbiCount += sign;
                table.getValue().forEach((field, column) -> pbiSums.merge(field,
                        decimal(row.get(column)).multiply(BigDecimal.valueOf(sign)), BigDecimal::add));
            }
            tables.add(new TableProof(table.getKey(), new Totals(fbCount, fbSums), new Totals(pbiCount, pbiSums)));
        }
        return tables;
    }

    static boolean allMatch(List<TableProof> proof) {
        return proof.stream().allMatch(TableProof::matches);
    }

    /** The table a person reads: count and first money sum of each side, then the verdict (naming what differs). */
    static List<String> render(List<TableProof> proof) {
        List<String> lines = new ArrayList<>();
        lines.add("Proof: FreshBooks' own records beside the rows Power BI holds (count, then the money sums):");
        lines.add(String.format("  %-14s %10s %10s %16s %16s  %s", "table", "FreshBooks", "Power BI", "FreshBooks amount",
                "Power BI amount", "verdict"));
        for (TableProof table : proof) {
            String first = table.freshBooks().sums().keySet().stream().findFirst().orElse(null);
            String verdict = table.matches() ? (first == null ? "match" : "match to the cent ("
                    + table.freshBooks().sums().size() + (table.freshBooks().sums().size() == 1 ? " sum)" : " sums)"))
                    : "DIFFERS: " + differences(table);
            lines.add(String.format("  %-14s %10d %10d %16s %16s  %s", table.table(), table.freshBooks().count(),
                    table.powerBi().count(), first == null ? "-" : table.freshBooks().sums().get(first).toPlainString(),
                    first == null ? "-" : table.powerBi().sums().get(first).toPlainString(), verdict));
        }
        lines.add(allMatch(proof) ? "Every table matches FreshBooks to the cent."
                : "Some tables differ: mlc status shows the control totals and what is still on its way.");
        return lines;
    }

    private static String differences(TableProof table) {
        List<String> parts = new ArrayList<>();
        if (table.freshBooks().count() != table.powerBi().count()) {
            parts.add("count " + table.freshBooks().count() + " vs " + table.powerBi().count());
        }
        table.freshBooks().sums().forEach((field, sum) -> {
            BigDecimal other = table.powerBi().sums().getOrDefault(field, BigDecimal.ZERO);
            if (sum.compareTo(other) != 0) {
                parts.add(field + " " + sum.toPlainString() + " vs " + other.toPlainString());
            }
        });
        return String.join(", ", parts);
    }

    private static Map<String, BigDecimal> zeros(Iterable<String> fields) {
        Map<String, BigDecimal> sums = new LinkedHashMap<>();
        fields.forEach(f -> sums.put(f, BigDecimal.ZERO));
        return sums;
    }

    private static BigDecimal decimal(Object value) {
        return value == null ? BigDecimal.ZERO : new BigDecimal(Objects.toString(value));
    }

    private static Map<String, Map<String, String>> moneyColumns() {
        Map<String, Map<String, String>> columns = new LinkedHashMap<>();
        columns.put("invoices", ordered("amount", "amount", "paid", "paid", "outstanding", "outstanding",
                "discount_total", "discount_total"));
        columns.put("invoice_lines", ordered("amount", "amount"));
        columns.put("payments", ordered("amount", "amount"));
        columns.put("expenses", ordered("amount", "amount", "taxAmount1", "tax_amount1", "taxAmount2", "tax_amount2"));
        columns.put("bills", ordered("amount", "amount", "tax_amount", "tax_amount", "total_amount", "total_amount",
                "paid", "paid", "outstanding", "outstanding"));
        columns.put("bill_payments", ordered("amount", "amount"));
        columns.put("clients", ordered());
        columns.put("vendors", ordered());
        return columns;
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
