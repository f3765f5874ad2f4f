package io.mlconnector.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * The signed-row rule of DESIGN §3 as a pure function: given the rows last pushed for one FreshBooks
 * record and the rows it maps to now, the rows to push. A changed row is reversed (−1 with the old
 * values) and pushed again (+1 with the new); a row that disappeared is reversed; an unchanged row
 * produces nothing, so the same version arriving again pushes nothing.
 */
public final class LedgerDiff {
    private LedgerDiff() {}

    /** One row as pushed with sign +1: its table, its stable key within the record, its column values. */
    public record LedgerRow(String table, String key, ObjectNode values) {
        public LedgerRow {
            Objects.requireNonNull(table);
            Objects.requireNonNull(key);
            Objects.requireNonNull(values);
        }

        String identity() {
            return table + "\u0000" + key;
        }
    }

    public record SignedRow(LedgerRow row, int sign) {}

    public static List<SignedRow> diff(List<LedgerRow> previous, List<LedgerRow> current) {
        Map<String, LedgerRow> before = byIdentity(previous);
        Map<String, LedgerRow> after = byIdentity(current);
        List<SignedRow> out = new ArrayList<>();
        for (LedgerRow old : before.values()) {
            LedgerRow now = after.get(old.identity());
            if (now == null || !now.values().equals(old.values())) {
                out.add(new SignedRow(old, -1));
            }
        }
        for (LedgerRow now : after.values()) {
            LedgerRow old = before.get(now.identity());
            if (old == null || !old.values().equals(now.values())) {
                out.add(new SignedRow(now, +1));
            }
        }
        return out;
    }

    private static Map<String, LedgerRow> byIdentity(List<LedgerRow> rows) {
        Map<String, LedgerRow> map = new LinkedHashMap<>();
        for (LedgerRow row : rows) {
            if (map.put(row.identity(), row) != null) {
                throw new IllegalArgumentException("two rows share table and key: " + row.table() + "/" + row.key());
            }
        }
        return map;
    }
}
