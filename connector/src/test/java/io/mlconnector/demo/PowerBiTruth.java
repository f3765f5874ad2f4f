package io.mlconnector.demo;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a Power BI report would show from the simulator's rows: SUM(sign) and SUM(column × sign), per
 * tenant, optionally per record. Used to compare against FreshBooks' truth.
 */
final class PowerBiTruth {
    private PowerBiTruth() {}

    static long count(List<Map<String, Object>> rows, String tenant) {
        return rows.stream().filter(r -> tenant.equals(r.get("tenant"))).mapToLong(r -> sign(r)).sum();
    }

    static BigDecimal sum(List<Map<String, Object>> rows, String tenant, String column) {
        return rows.stream().filter(r -> tenant.equals(r.get("tenant")))
                .map(r -> decimal(r.get(column)).multiply(BigDecimal.valueOf(sign(r))))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** SUM(sign) per value of {@code idColumn}, for one tenant. */
    static Map<String, Long> countById(List<Map<String, Object>> rows, String tenant, String idColumn) {
        Map<String, Long> counts = new HashMap<>();
        rows.stream().filter(r -> tenant.equals(r.get("tenant")))
                .forEach(r -> counts.merge(String.valueOf(r.get(idColumn)), (long) sign(r), Long::sum));
        return counts;
    }

    /** SUM(column × sign) per value of {@code idColumn}, for one tenant. */
    static Map<String, BigDecimal> sumById(List<Map<String, Object>> rows, String tenant, String idColumn, String column) {
        Map<String, BigDecimal> sums = new HashMap<>();
        rows.stream().filter(r -> tenant.equals(r.get("tenant"))).forEach(r -> sums.merge(
                String.valueOf(r.get(idColumn)), decimal(r.get(column)).multiply(BigDecimal.valueOf(sign(r))),
                BigDecimal::add));
        return sums;
    }

    static int sign(Map<String, Object> row) {
        return ((Number) Objects.requireNonNull(row.get("sign"), "row without sign")).intValue();
    }

    static BigDecimal decimal(Object value) {
        if (value == null) {
            return BigDecimal.ZERO;
        }
        return value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
    }
}
