package io.mlconnector.sim.freshbooks;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Control totals of one table for one business: {@code count} of records that are not deleted (vis_state 0 and 2:
 * archived records are still real money), of which {@code archived} have vis_state 2, and the sum of each money field
 * over those same records.
 */
public record TableTotals(String table, long count, long archived, Map<String, BigDecimal> sums) {

    public TableTotals {
        sums = Collections.unmodifiableMap(new LinkedHashMap<>(sums));
    }

    public BigDecimal sum(String field) {
        BigDecimal v = sums.get(field);
        if (v == null) {
            throw new IllegalArgumentException(table + " has no money field " + field);
        }
        return v;
    }
}
