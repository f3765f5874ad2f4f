package io.mlconnector.mapping;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One Power BI row produced by a mapper, before the pipeline signs it.
 *
 * @param table  the {@link DatasetModel} table name
 * @param rowKey stable per source entity within the table and tenant (an invoice id, "invoiceid/lineid"),
 *               so the ledger can tell which rows of a new version replace which rows of the last one
 * @param values mapped columns in model order ({@code tenant} … {@code source_updated_utc}); values are
 *               {@code Long}, {@code BigDecimal}, {@code String}, {@code Boolean}, {@code Instant} or null.
 *               {@code sign}, {@code pushed_at_utc} and {@code batch_id} are added by {@link #toPushJson}.
 */
public record Row(String table, String rowKey, Map<String, Object> values) {

    /** Power BI Decimal is precision 28, scale 4 (powerbi-api.md §2.4). */
    public static final int DECIMAL_SCALE = 4;

    public Row {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(rowKey, "rowKey");
        // LinkedHashMap keeps column order and allows nulls (Map.copyOf does neither).
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * The row as Power BI's POST rows expects it: these values plus {@code sign}, {@code pushed_at_utc}
     * and {@code batch_id}; BigDecimal as a plain number with at most 4 decimals (HALF_EVEN beyond
     * that, e.g. invoice {@code net_paid_amount}); Instant as ISO-8601 UTC ({@code …Z}, milliseconds at
     * most: the service keeps 1/300 s anyway); Long as an integer.
     */
    public Map<String, Object> toPushJson(int sign, Instant pushedAt, String batchId) {
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException("sign must be +1 or -1, got " + sign);
        }
        Map<String, Object> json = jsonValues();
        json.put(DatasetModel.SIGN, (long) sign);
        json.put(DatasetModel.PUSHED_AT_UTC, jsonValue(Objects.requireNonNull(pushedAt, "pushedAt")));
        json.put(DatasetModel.BATCH_ID, Objects.requireNonNull(batchId, "batchId"));
        return json;
    }

    /** The mapped values rendered as {@link #toPushJson} renders them, without the pipeline columns. */
    public Map<String, Object> jsonValues() {
        Map<String, Object> json = new LinkedHashMap<>();
        values.forEach((column, value) -> json.put(column, jsonValue(value)));
        return json;
    }

    static Object jsonValue(Object value) {
        if (value instanceof BigDecimal decimal) {
            return powerBiDecimal(decimal);
        }
        if (value instanceof Instant instant) {
            return instant.truncatedTo(ChronoUnit.MILLIS).toString();
        }
        return value;
    }

    /** Scale 0..4, never exponent notation (Jackson writes BigDecimal via toString). */
    static BigDecimal powerBiDecimal(BigDecimal value) {
        if (value.scale() > DECIMAL_SCALE) {
            return value.setScale(DECIMAL_SCALE, RoundingMode.HALF_EVEN);
        }
        if (value.scale() < 0) {
            return value.setScale(0, RoundingMode.UNNECESSARY);
        }
        return value;
    }
}
