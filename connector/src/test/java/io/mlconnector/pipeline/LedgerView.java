package io.mlconnector.pipeline;

import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.mapping.Row;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the ledger holds and what the outbox has pushed, as comparable strings
 * ({@code objectId|table|rowKey|values}), for tests that check the two agree with FreshBooks' final state.
 */
final class LedgerView {
    private final Jdbi jdbi;
    private final JsonMapper json = PipelineJson.mapper();

    LedgerView(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The +1 rows the ledger says Power BI holds for one record. */
    Set<String> ledgerRows(RecordKey key) {
        Optional<String> rows = jdbi.withHandle(h -> h.createQuery("SELECT rows_json FROM ledger_entry"
                        + " WHERE tenant_id = :t AND object_type = :type AND object_id = :id")
                .bind("t", key.tenantId()).bind("type", key.objectType()).bind("id", key.objectId())
                .mapTo(String.class).findOne());
        Set<String> out = new HashSet<>();
        rows.ifPresent(text -> {
            for (JsonNode row : json.readTree(text)) {
                out.add(rowId(key.objectId(), row.path("table").asString(), row.path("key").asString(), row.path("values")));
            }
        });
        return out;
    }

    /** The rows a record's current state maps to (none for a deleted or gone record). */
    Set<String> expectedRows(RecordKey key, JsonNode recordOrNull) {
        Set<String> out = new HashSet<>();
        if (recordOrNull != null) {
            List<Row> rows = MapperRegistry.standard().forType(key.objectType()).orElseThrow().map(key.tenantId(), recordOrNull);
            for (Row row : rows) {
                out.add(rowId(key.objectId(), row.table(), row.rowKey(), json.readTree(json.writeValueAsString(row.jsonValues()))));
            }
        }
        return out;
    }

    /** Signed outbox rows of a tenant summed per row and values; rows that cancel out are left out. */
    Map<String, Long> outboxNet(String tenantId) {
        return outboxNet(tenantId, null);
    }

    /** As {@link #outboxNet(String)}, for one record ({@code key} null: every record of the tenant). */
    Map<String, Long> outboxNet(String tenantId, RecordKey key) {
        Map<String, Long> net = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT object_id, table_name, row_key, sign, values_json FROM outbox_row"
                        + " WHERE tenant_id = :t" + (key == null ? "" : " AND object_type = :type AND object_id = :id"))
                .bind("t", tenantId)
                .bind("type", key == null ? null : key.objectType())
                .bind("id", key == null ? null : key.objectId())
                .map((rs, ctx) -> Map.entry(rowId(rs.getString("object_id"), rs.getString("table_name"),
                        rs.getString("row_key"), json.readTree(rs.getString("values_json"))), (long) rs.getInt("sign")))
                .forEach(e -> net.merge(e.getKey(), e.getValue(), Long::sum)));
        net.values().removeIf(n -> n == 0);
        return net;
    }

    private String rowId(String objectId, String table, String rowKey, JsonNode values) {
        return objectId + "|" + table + "|" + rowKey + "|" + json.writeValueAsString(values);
    }
}
