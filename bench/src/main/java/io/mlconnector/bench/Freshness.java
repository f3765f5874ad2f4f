package io.mlconnector.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Freshness as a reader of the dashboard sees it: from a change in FreshBooks to the first rows of that record
 * accepted by Power BI at or after it. A pure function over the two logs, so it can be checked with known answers.
 */
final class Freshness {
    private Freshness() {}

    /** A change to a record in FreshBooks, by FreshBooks' object type ({@code invoice}) and id. */
    record Change(Instant at, String objectType, long objectId) {}

    /** Rows accepted by Power BI for one record of one table. */
    record Arrival(Instant at, String table, long recordId) {}

    /** Latencies of the changes whose rows arrived, and how many changes had none (nothing a row shows changed). */
    record Result(List<Duration> latencies, int withoutRows) {
        Duration percentile(double p) {
            if (latencies.isEmpty()) {
                return Duration.ZERO;
            }
            List<Duration> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return sorted.get((int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1)));
        }

        Duration max() {
            return latencies.stream().max(Duration::compareTo).orElse(Duration.ZERO);
        }
    }

    /** Which table and id column carry each FreshBooks object type's own rows (DatasetModel). */
    static final Map<String, String> TABLE_OF = Map.of(
            "invoice", "invoices", "payment", "payments", "expense", "expenses", "bill", "bills",
            "client", "clients", "bill_vendor", "vendors");
    static final Map<String, String> ID_COLUMN_OF_TABLE = Map.of(
            "invoices", "invoice_id", "payments", "payment_id", "expenses", "expense_id", "bills", "bill_id",
            "clients", "client_id", "vendors", "vendor_id");

    static Result measure(List<Change> changes, List<Arrival> arrivals) {
        Map<String, List<Instant>> byRecord = new HashMap<>();
        for (Arrival a : arrivals) {
            byRecord.computeIfAbsent(a.table() + "/" + a.recordId(), k -> new ArrayList<>()).add(a.at());
        }
        byRecord.values().forEach(Collections::sort);
        List<Duration> latencies = new ArrayList<>();
        int withoutRows = 0;
        for (Change change : changes) {
            String table = TABLE_OF.get(change.objectType());
            Optional<Instant> first = table == null ? Optional.empty()
                    : byRecord.getOrDefault(table + "/" + change.objectId(), List.of()).stream()
                            .filter(at -> !at.isBefore(change.at())).findFirst();
            if (first.isPresent()) {
                latencies.add(Duration.between(change.at(), first.get()));
            } else {
                withoutRows++;
            }
        }
        return new Result(latencies, withoutRows);
    }

    /**
     * Whether {@code objectType}'s own rows go to a dimension table (clients, vendors): those hold one row per key,
     * so a changed key waits for the table's debounced reload ({@code pipeline.dimension-refresh-interval}) by
     * design, and its freshness is bounded by that interval, not by the quota.
     */
    static boolean isDimension(String objectType) {
        String table = TABLE_OF.get(objectType);
        return table != null && io.mlconnector.mapping.DatasetModel.isDimension(table);
    }

    /**
     * The least time the Power BI quota allows for a mix that touches {@code activeTables} tables: each table's rows
     * need a POST of their own, and a dataset takes {@code postsPerMinute} of them.
     */
    static Duration quotaBound(int activeTables, int postsPerMinute) {
        return Duration.ofMillis(Math.round(activeTables * 60_000.0 / postsPerMinute));
    }
}
