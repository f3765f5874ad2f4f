package io.mlconnector.pipeline;

import io.mlconnector.pipeline.LedgerDiff.LedgerRow;
import io.mlconnector.pipeline.LedgerDiff.SignedRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps, per FreshBooks record, the rows last pushed, and turns a record's current rows into signed
 * outbox rows (DESIGN §3) in the caller's transaction. A read older than what was already applied
 * (a sweep racing a webhook) changes nothing.
 */
public final class SignedRowLedger {
    private final JsonMapper json;

    public SignedRowLedger(JsonMapper json) {
        this.json = json;
    }

    /** What applying one read of a record did. */
    public record Applied(int outboxRows, boolean stale) {}

    private record Entry(Instant sourceVersion, List<LedgerRow> rows) {}

    /**
     * Applies the record's current rows (empty when it is deleted or gone). {@code sourceVersion} is the
     * record's own updated time, or for a record that is gone the time we learned it.
     */
    public Applied apply(Handle handle, RecordKey key, Instant sourceVersion, boolean deleted, List<LedgerRow> current,
                         String route, String cause, Instant now) {
        Optional<Entry> previous = lockEntry(handle, key);
        if (previous.isPresent() && isStale(sourceVersion, previous.get().sourceVersion())) {
            return new Applied(0, true);
        }
        List<SignedRow> delta = LedgerDiff.diff(previous.map(Entry::rows).orElse(List.of()), current);
        for (SignedRow signed : delta) {
            handle.createUpdate("""
                            INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key,
                                                    sign, values_json, cause, created_at)
                            VALUES (:route, :table, :tenant, :type, :id, :rowKey, :sign, :values, :cause, :now)""")
                    .bind("route", route)
                    .bind("table", signed.row().table())
                    .bind("tenant", key.tenantId())
                    .bind("type", key.objectType())
                    .bind("id", key.objectId())
                    .bind("rowKey", signed.row().key())
                    .bind("sign", signed.sign())
                    .bind("values", json.writeValueAsString(signed.row().values()))
                    .bind("cause", truncate(cause, 200))
                    .bind("now", now)
                    .execute();
        }
        if (!delta.isEmpty() || previous.isEmpty() || !sourceVersion.equals(previous.get().sourceVersion())) {
            saveEntry(handle, key, sourceVersion, deleted, current, previous.isPresent(), now);
        }
        return new Applied(delta.size(), false);
    }

    /** Equal versions are applied: FreshBooks' updated has one-second resolution, and the later read wins. */
    private static boolean isStale(Instant incoming, Instant applied) {
        return applied != null && incoming != null && incoming.isBefore(applied);
    }

    /** The record's ledger entry, locked until the transaction ends, so one record is applied at a time. */
    private Optional<Entry> lockEntry(Handle handle, RecordKey key) {
        return handle.createQuery("SELECT source_version, rows_json FROM ledger_entry"
                        + " WHERE tenant_id = :tenant AND object_type = :type AND object_id = :id FOR UPDATE")
                .bind("tenant", key.tenantId())
                .bind("type", key.objectType())
                .bind("id", key.objectId())
                .map((rs, ctx) -> new Entry(
                        rs.getObject("source_version", java.time.OffsetDateTime.class) == null ? null
                                : rs.getObject("source_version", java.time.OffsetDateTime.class).toInstant(),
                        parseRows(rs.getString("rows_json"))))
                .findOne();
    }

    private void saveEntry(Handle handle, RecordKey key, Instant sourceVersion, boolean deleted, List<LedgerRow> rows,
                           boolean exists, Instant now) {
        String sql = exists
                ? """
                  UPDATE ledger_entry SET source_version = :version, deleted = :deleted, rows_json = :rows,
                         updated_at = :now
                  WHERE tenant_id = :tenant AND object_type = :type AND object_id = :id"""
                : """
                  INSERT INTO ledger_entry (tenant_id, object_type, object_id, source_version, deleted, rows_json,
                                            updated_at)
                  VALUES (:tenant, :type, :id, :version, :deleted, :rows, :now)""";
        handle.createUpdate(sql)
                .bind("tenant", key.tenantId())
                .bind("type", key.objectType())
                .bind("id", key.objectId())
                .bind("version", sourceVersion)
                .bind("deleted", deleted)
                .bind("rows", writeRows(rows))
                .bind("now", now)
                .execute();
    }

    private String writeRows(List<LedgerRow> rows) {
        ArrayNode array = json.createArrayNode();
        for (LedgerRow row : rows) {
            ObjectNode node = array.addObject();
            node.put("table", row.table());
            node.put("key", row.key());
            node.set("values", row.values());
        }
        return json.writeValueAsString(array);
    }

    private List<LedgerRow> parseRows(String text) {
        List<LedgerRow> rows = new ArrayList<>();
        for (JsonNode node : json.readTree(text)) {
            rows.add(new LedgerRow(node.path("table").asString(), node.path("key").asString(),
                    (ObjectNode) node.path("values")));
        }
        return rows;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
