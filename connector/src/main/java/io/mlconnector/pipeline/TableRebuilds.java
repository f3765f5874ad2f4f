package io.mlconnector.pipeline;

import io.mlconnector.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rebuilding a Power BI table from the ledger (DESIGN §3 {@code compact}): clear it and load the current +1
 * rows of every record. Used when a POST's outcome cannot be found out, when the route's dataset is new or
 * changed, when a table nears the 5,000,000-row cap, and on demand ({@code mlc dataset compact}).
 *
 * <p>{@link #request} is one durable transaction reading one snapshot of the store, so it takes no lock that
 * would stall the workers: it marks the table's open and quarantined batches superseded, deletes the table's
 * unbatched rows it sees (the ledger it sees already holds their effect), queues the ledger's current rows,
 * and notes the table as to be cleared. A record applied meanwhile is in neither the snapshot's ledger nor its
 * rows, so its new rows stay and go after the rebuild's, as the change they are. Until {@link #cleared}, the
 * pusher posts nothing to the table; a kill in between clears it again on restart, which is harmless because
 * nothing was posted since. The route owner's pusher thread is the only one that forms or changes batches, and
 * it alone calls {@link #request} (other threads and instances {@link #ask}), so the batches superseded here cannot
 * change underneath.
 */
public final class TableRebuilds {
    private final Database database;
    private final JsonMapper json;

    public TableRebuilds(Database database, JsonMapper json) {
        this.database = database;
        this.json = json;
    }

    /** A table waiting to be cleared, and why. */
    public record Rebuild(String table, String reason, Instant requestedAt) {}

    /** Queues the rebuild of {@code tables} of {@code route}; returns the rows queued per table. */
    public Map<String, Integer> request(String route, Set<String> tables, String reason, Instant now) {
        return request(route, tables, reason, now, true);
    }

    /**
     * As {@link #request(String, Set, String, Instant)}; {@code clear} false for tables known to be empty (a
     * dataset just created), whose rows can go at once.
     */
    public Map<String, Integer> request(String route, Set<String> tables, String reason, Instant now, boolean clear) {
        return database.inDurableSnapshotTransaction(h -> {
            Map<String, List<LedgerRowOf>> current = currentRows(h, tables);
            Map<String, Integer> queued = new HashMap<>();
            for (String table : tables) {
                h.createUpdate("""
                                UPDATE outbox_batch SET state = 'superseded', last_error = :why
                                WHERE route = :route AND table_name = :table AND state IN ('pending', 'posting', 'quarantined')""")
                        .bind("why", Outbox.clip("superseded by a rebuild: " + reason))
                        .bind("route", route).bind("table", table).execute();
                deleteUnbatchedRows(h, route, table);
                List<LedgerRowOf> rows = current.getOrDefault(table, List.of());
                PreparedBatch insert = h.prepareBatch("""
                        INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key,
                                                sign, values_json, cause, created_at)
                        VALUES (:route, :table, :tenant, :type, :id, :rowKey, 1, :values, 'rebuild', :now)""");
                for (LedgerRowOf row : rows) {
                    insert.bind("route", route).bind("table", table).bind("tenant", row.tenantId())
                            .bind("type", row.objectType()).bind("id", row.objectId()).bind("rowKey", row.key())
                            .bind("values", json.writeValueAsString(row.values())).bind("now", now).add();
                }
                if (!rows.isEmpty()) {
                    insert.execute();
                }
                h.createUpdate("DELETE FROM table_rebuild WHERE route = :route AND table_name = :table")
                        .bind("route", route).bind("table", table).execute();
                if (clear) {
                    h.createUpdate("""
                                    INSERT INTO table_rebuild (route, table_name, reason, requested_at)
                                    VALUES (:route, :table, :reason, :now)""")
                            .bind("route", route).bind("table", table).bind("reason", Outbox.clip(reason)).bind("now", now)
                            .execute();
                }
                DimensionTables.reloaded(h, route, table, now);
                queued.put(table, rows.size());
            }
            return queued;
        });
    }

    /** A rebuild asked for on some instance, for the route's owner to carry out. */
    public record Request(long id, Set<String> tables, String reason) {}

    /** How long an asker waits for the route's owner to carry its request out. */
    static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);

    /** Asks the route's owner, whichever instance that is, to rebuild {@code tables}; returns the request's id. */
    public long ask(String route, Set<String> tables, String reason, Instant now) {
        return database.inDurableTransaction(h -> h.createUpdate(
                        "INSERT INTO rebuild_request (route, tables, reason, requested_at) VALUES (:route, :tables, :reason, :now)")
                .bind("route", route).bind("tables", String.join(",", new TreeSet<>(tables)))
                .bind("reason", Outbox.clip(reason)).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    /** Requests not carried out yet, oldest first (read by the route's owner). */
    public List<Request> asked(String route) {
        return database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT id, tables, reason FROM rebuild_request WHERE route = :route AND done_at IS NULL ORDER BY id")
                .bind("route", route)
                .map((rs, ctx) -> new Request(rs.getLong(1), Set.of(rs.getString(2).split(",")), rs.getString(3)))
                .list());
    }

    /** Carries a request out and writes its answer: the rows queued per table, or why it failed. */
    public void answer(Request request, Supplier<Map<String, Integer>> work, Instant now) {
        String result;
        boolean failed;
        try {
            result = json.writeValueAsString(work.get());
            failed = false;
        } catch (RuntimeException e) {
            result = json.writeValueAsString(Map.of("error", String.valueOf(e.getMessage())));
            failed = true;
        }
        String answer = Outbox.clip(result);
        boolean isFailure = failed;
        database.inDurableTransaction(h -> h.createUpdate(
                        "UPDATE rebuild_request SET done_at = :now, result_json = :result, failed = :failed WHERE id = :id")
                .bind("now", now).bind("result", answer).bind("failed", isFailure).bind("id", request.id()).execute());
    }

    /**
     * Waits for the answer to request {@code id}: the rows queued per table. Throws when the owner could not carry it
     * out, or when no owner answered within {@link #ANSWER_TIMEOUT} (the route's owner is stuck or gone).
     */
    public Map<String, Integer> awaitAnswer(long id) {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (true) {
            Optional<String[]> answer = database.jdbi().withHandle(h -> h.createQuery(
                            "SELECT result_json, failed FROM rebuild_request WHERE id = :id AND done_at IS NOT NULL")
                    .bind("id", id).map((rs, ctx) -> new String[] {rs.getString(1), String.valueOf(rs.getBoolean(2))})
                    .findOne());
            if (answer.isPresent()) {
                JsonNode result = json.readTree(answer.get()[0]);
                if (Boolean.parseBoolean(answer.get()[1])) {
                    throw new IllegalStateException("the rebuild failed: " + result.path("error").asString());
                }
                Map<String, Integer> queued = new TreeMap<>();
                result.properties().forEach(e -> queued.put(e.getKey(), e.getValue().asInt()));
                return queued;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no instance carried out rebuild request " + id + " within "
                        + ANSWER_TIMEOUT.toMinutes() + " minutes: does any instance own the route to Power BI? (mlc status)");
            }
            try {
                Thread.sleep(100); // the owner's pusher reads requests at every step
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for rebuild request " + id, e);
            }
        }
    }

    /** Tables of the route still to be cleared, oldest request first. */
    public List<Rebuild> pending(String route) {
        return database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT table_name, reason, requested_at FROM table_rebuild WHERE route = :route ORDER BY requested_at")
                .bind("route", route)
                .map((rs, ctx) -> new Rebuild(rs.getString(1), rs.getString(2),
                        rs.getObject(3, java.time.OffsetDateTime.class).toInstant()))
                .list());
    }

    /**
     * Throws {@link io.mlconnector.cluster.Leases.LeaseLostException} unless {@code lease} (the route's) is still this
     * instance's: an owner that lost the route while stalled must not empty a table its successor is filling.
     */
    public void checkStillOwner(io.mlconnector.cluster.Leases.Lease lease) {
        database.jdbi().useTransaction(h -> io.mlconnector.cluster.Leases.checkHeld(h, lease));
    }

    /** Power BI's copy of the table is empty now: its queued rows may go. */
    public void cleared(String route, String table) {
        database.inDurableTransaction(h -> {
            h.createUpdate("DELETE FROM table_rebuild WHERE route = :route AND table_name = :table")
                    .bind("route", route).bind("table", table).execute();
            return h.createUpdate("UPDATE push_table SET rows_in_table = 0 WHERE route = :route AND table_name = :table")
                    .bind("route", route).bind("table", table).execute();
        });
    }

    private record LedgerRowOf(String tenantId, String objectType, String objectId, String key, JsonNode values) {}

    /** The ledger's current rows of {@code tables}, by table. */
    private Map<String, List<LedgerRowOf>> currentRows(Handle h, Set<String> tables) {
        Map<String, List<LedgerRowOf>> byTable = new HashMap<>();
        // Only entries naming one of the tables (a quoted table name in rows_json) are parsed: a dimension table's
        // reload reads its few records, not every invoice's. A superset: each row's table is checked below.
        List<String> names = new ArrayList<>(tables);
        StringBuilder naming = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            naming.append(i == 0 ? "" : " OR ").append("rows_json LIKE :t").append(i);
        }
        var query = h.createQuery("SELECT tenant_id, object_type, object_id, rows_json FROM ledger_entry"
                + (names.isEmpty() ? "" : " WHERE " + naming));
        for (int i = 0; i < names.size(); i++) {
            query.bind("t" + i, "%\"" + names.get(i) + "\"%");
        }
        query.map((rs, ctx) -> {
                    for (LedgerDiff.LedgerRow row : SignedRowLedger.rowsOf(json, rs.getString("rows_json"))) {
                        if (tables.contains(row.table())) {
                            byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(new LedgerRowOf(rs.getString(1),
                                    rs.getString(2), rs.getString(3), row.key(), row.values()));
                        }
                    }
                    return Boolean.TRUE;
                })
                .forEach(x -> { });
        return byTable;
    }

    /** The table's rows not in any batch, as of the snapshot: rows committed later stay. */
    private static void deleteUnbatchedRows(Handle h, String route, String table) {
        List<Long> ids = h.createQuery("SELECT id FROM outbox_row WHERE route = :route AND table_name = :table AND batch_id IS NULL")
                .bind("route", route).bind("table", table).mapTo(Long.class).list();
        for (int from = 0; from < ids.size(); from += 1000) {
            h.createUpdate("DELETE FROM outbox_row WHERE id IN (<ids>)")
                    .bindList("ids", ids.subList(from, Math.min(ids.size(), from + 1000))).execute();
        }
    }
}
