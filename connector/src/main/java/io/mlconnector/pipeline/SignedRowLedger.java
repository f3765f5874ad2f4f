package io.mlconnector.pipeline;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.LedgerDiff.LedgerRow;
import io.mlconnector.pipeline.LedgerDiff.SignedRow;
import java.time.Instant;
import java.time.OffsetDateTime;
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
 * outbox rows (DESIGN §3) in the caller's transaction. A read that does not supersede what was already
 * applied ({@link ReadStamp#supersedes}: older by FreshBooks' version, or fetched earlier when versions
 * cannot tell) changes nothing.
 */
public final class SignedRowLedger {
    private final JsonMapper json;

    public SignedRowLedger(JsonMapper json) {
        this.json = json;
    }

    /** What applying one read of a record did. */
    public record Applied(int outboxRows, boolean stale) {}

    private record Entry(ReadStamp read, List<LedgerRow> rows) {}

    /**
     * Applies one read's rows (empty when the record is deleted or gone), unless what was applied before
     * supersedes it. The same version read again pushes nothing (the diff is empty) but records the
     * later fetch stamp.
     */
    public Applied apply(Handle handle, RecordKey key, ReadStamp read, boolean deleted, List<LedgerRow> current,
                         String route, String cause, Instant receivedAt, Instant now) {
        Optional<Entry> previous = lockEntry(handle, key);
        if (previous.isPresent() && !ReadStamp.supersedes(read, previous.get().read())) {
            return new Applied(0, true);
        }
        List<SignedRow> delta = new java.util.ArrayList<>();
        java.util.Map<String, List<SignedRow>> byTable = new java.util.LinkedHashMap<>();
        LedgerDiff.diff(previous.map(Entry::rows).orElse(List.of()), current)
                .forEach(r -> byTable.computeIfAbsent(r.row().table(), t -> new java.util.ArrayList<>()).add(r));
        byTable.forEach((table, rows) -> {
            if (!DatasetModel.isDimension(table) || DimensionTables.mayAppend(handle, route, table, rows, now)) {
                delta.addAll(rows);
            }
        });
        for (SignedRow signed : delta) {
            handle.createUpdate("""
                            INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key,
                                                    sign, values_json, cause, created_at, priority, received_at)
                            VALUES (:route, :table, :tenant, :type, :id, :rowKey, :sign, :values, :cause, :now, :priority,
                                    :receivedAt)""")
                    .bind("route", route)
                    .bind("table", signed.row().table())
                    .bind("tenant", key.tenantId())
                    .bind("type", key.objectType())
                    .bind("id", key.objectId())
                    .bind("rowKey", signed.row().key())
                    .bind("sign", signed.sign())
                    .bind("values", json.writeValueAsString(signed.row().values()))
                    .bind("cause", truncate(cause, 200))
                    .bind("priority", Outbox.priorityOf(cause))
                    .bindByType("receivedAt", receivedAt, Instant.class)
                    .bind("now", now)
                    .execute();
        }
        // Saved even when nothing changed: the later fetch stamp must outrank reads fetched before it.
        saveEntry(handle, key, read, deleted, current, previous.isPresent(), now);
        return new Applied(delta.size(), false);
    }

    /** The record's ledger entry, locked until the transaction ends, so one record is applied at a time. */
    private Optional<Entry> lockEntry(Handle handle, RecordKey key) {
        return handle.createQuery("SELECT source_version, source_version_latest, source_version_digits, fetch_seq,"
                        + " rows_json FROM ledger_entry"
                        + " WHERE tenant_id = :tenant AND object_type = :type AND object_id = :id FOR UPDATE")
                .bind("tenant", key.tenantId())
                .bind("type", key.objectType())
                .bind("id", key.objectId())
                .map((rs, ctx) -> {
                    // Rows from before V6 have no digits: their source_version may be our own clock (a 404),
                    // so they count as unversioned, and their fetch_seq 0 loses to every read since.
                    int digits = rs.getInt("source_version_digits");
                    SourceVersion version = rs.wasNull() ? null : new SourceVersion(
                            rs.getObject("source_version", OffsetDateTime.class).toInstant(),
                            rs.getObject("source_version_latest", OffsetDateTime.class).toInstant(), digits);
                    return new Entry(new ReadStamp(version, rs.getLong("fetch_seq")), parseRows(rs.getString("rows_json")));
                })
                .findOne();
    }

    private void saveEntry(Handle handle, RecordKey key, ReadStamp read, boolean deleted, List<LedgerRow> rows,
                           boolean exists, Instant now) {
        String sql = exists
                ? """
                  UPDATE ledger_entry SET source_version = :version, source_version_latest = :versionLatest,
                         source_version_digits = :versionDigits, fetch_seq = :fetchSeq, deleted = :deleted,
                         rows_json = :rows, updated_at = :now
                  WHERE tenant_id = :tenant AND object_type = :type AND object_id = :id"""
                : """
                  INSERT INTO ledger_entry (tenant_id, object_type, object_id, source_version, source_version_latest,
                                            source_version_digits, fetch_seq, deleted, rows_json, updated_at)
                  VALUES (:tenant, :type, :id, :version, :versionLatest, :versionDigits, :fetchSeq, :deleted, :rows,
                          :now)""";
        SourceVersion version = read.version();
        handle.createUpdate(sql)
                .bind("tenant", key.tenantId())
                .bind("type", key.objectType())
                .bind("id", key.objectId())
                .bindByType("version", version == null ? null : version.earliest(), Instant.class)
                .bindByType("versionLatest", version == null ? null : version.latest(), Instant.class)
                .bindByType("versionDigits", version == null ? null : version.fractionDigits(), Integer.class)
                .bind("fetchSeq", read.fetchStamp())
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
        return rowsOf(json, text);
    }

    /** A ledger entry's {@code rows_json}: the record's rows as last pushed with sign +1. */
    public static List<LedgerRow> rowsOf(JsonMapper json, String text) {
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
