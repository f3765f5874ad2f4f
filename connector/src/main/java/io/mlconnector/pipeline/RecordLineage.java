package io.mlconnector.pipeline;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code mlc explain TABLE ID}: why each row of one record is in one table, read from the store. Every signed row
 * the outbox holds for the record in that table (+1 and −1), with its batch (state, sent time), its cause, and for
 * rows a webhook caused the inbox events behind it (coalesced: {@code inbox:first-last}); and the ledger's entry,
 * what Power BI holds now. Rows of sent batches older than {@code pipeline.retention} are gone from the outbox.
 */
public final class RecordLineage {
    private static final Pattern INBOX_CAUSE = Pattern.compile("^inbox:(\\d+)-(\\d+)$");

    /** One inbox event (a webhook, or a {@code mlc replay --record}) behind a row. */
    public record Event(long inboxId, String eventName, Instant receivedAt, Instant processedAt) {}

    /** One signed row and how it got there. {@code batchState} null: not in a batch yet. */
    public record SignedRow(long rowId, String tenantId, String objectType, String rowKey, int sign, String cause,
                            Instant createdAt, String batchId, String batchState, Instant sentAt, String lastError,
                            List<Event> events) {}

    /** What the ledger holds for the record now ({@code null} in {@link Explanation} when it never was pushed). */
    public record LedgerEntry(String tenantId, String objectType, Instant sourceVersion, boolean deleted,
                              Instant updatedAt) {}

    public record Explanation(String table, String objectId, String tenantId, List<SignedRow> rows,
                              List<LedgerEntry> ledger) {
        /** SUM(sign): 1 when Power BI holds the row once (per row key), 0 after a delete. */
        public int net() {
            return rows.stream().mapToInt(SignedRow::sign).sum();
        }
    }

    private final Jdbi jdbi;

    public RecordLineage(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** @param tenantId one tenant, or null for every tenant with such a record */
    public Explanation explain(String table, String objectId, String tenantId) {
        return jdbi.withHandle(h -> {
            var rowQuery = h.createQuery("SELECT r.id, r.tenant_id, r.object_type, r.row_key, r.sign, r.cause,"
                            + " r.created_at, r.batch_id, b.state, b.sent_at, b.last_error FROM outbox_row r"
                            + " LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id"
                            + " WHERE r.table_name = :table AND r.object_id = :id"
                            + (tenantId == null ? "" : " AND r.tenant_id = :tenant") + " ORDER BY r.id")
                    .bind("table", table).bind("id", objectId);
            if (tenantId != null) {
                rowQuery.bind("tenant", tenantId);
            }
            List<SignedRow> rows = rowQuery.map((rs, ctx) -> new SignedRow(rs.getLong("id"), rs.getString("tenant_id"),
                            rs.getString("object_type"), rs.getString("row_key"), rs.getInt("sign"), rs.getString("cause"),
                            instant(rs.getObject("created_at", OffsetDateTime.class)), rs.getString("batch_id"),
                            rs.getString("state"), instant(rs.getObject("sent_at", OffsetDateTime.class)),
                            rs.getString("last_error"), List.of()))
                    .list();
            List<SignedRow> withEvents = new ArrayList<>();
            for (SignedRow row : rows) {
                withEvents.add(new SignedRow(row.rowId(), row.tenantId(), row.objectType(), row.rowKey(), row.sign(),
                        row.cause(), row.createdAt(), row.batchId(), row.batchState(), row.sentAt(), row.lastError(),
                        events(h, row)));
            }
            var ledgerQuery = h.createQuery("SELECT tenant_id, object_type, source_version, deleted, updated_at"
                            + " FROM ledger_entry WHERE object_id = :id" + (tenantId == null ? "" : " AND tenant_id = :tenant")
                            + " ORDER BY tenant_id, object_type")
                    .bind("id", objectId);
            if (tenantId != null) {
                ledgerQuery.bind("tenant", tenantId);
            }
            List<LedgerEntry> ledger = ledgerQuery.map((rs, ctx) -> new LedgerEntry(rs.getString("tenant_id"), rs.getString("object_type"),
                            instant(rs.getObject("source_version", OffsetDateTime.class)), rs.getBoolean("deleted"),
                            instant(rs.getObject("updated_at", OffsetDateTime.class))))
                    .list();
            // Only the ledger entries of record types that have rows here, when there are rows: an id can name
            // records of several types (an invoice and a client both 12), and only one feeds this table.
            List<String> types = withEvents.stream().map(SignedRow::objectType).distinct().toList();
            List<LedgerEntry> relevant = types.isEmpty() ? ledger
                    : ledger.stream().filter(e -> types.contains(e.objectType())).toList();
            return new Explanation(table, objectId, tenantId, withEvents, relevant);
        });
    }

    /** The inbox events a webhook-caused row came from (the worker coalesces a record's events into one fetch). */
    private static List<Event> events(Handle h, SignedRow row) {
        Matcher m = INBOX_CAUSE.matcher(row.cause());
        if (!m.matches()) {
            return List.of();
        }
        return h.createQuery("SELECT id, event_name, received_at, processed_at FROM inbox WHERE id BETWEEN :first AND :last"
                        + " AND tenant_id = :tenant AND object_type = :type AND object_id IN (SELECT object_id FROM"
                        + " outbox_row WHERE id = :row) ORDER BY id")
                .bind("first", Long.parseLong(m.group(1))).bind("last", Long.parseLong(m.group(2)))
                .bind("tenant", row.tenantId()).bind("type", row.objectType()).bind("row", row.rowId())
                .map((rs, ctx) -> new Event(rs.getLong("id"), rs.getString("event_name"),
                        instant(rs.getObject("received_at", OffsetDateTime.class)),
                        instant(rs.getObject("processed_at", OffsetDateTime.class))))
                .list();
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
