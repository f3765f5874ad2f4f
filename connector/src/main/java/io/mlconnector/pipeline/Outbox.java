package io.mlconnector.pipeline;

import io.mlconnector.cluster.Leases;
import io.mlconnector.store.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Durable rows waiting for Power BI, grouped into batches (docs/guarantees.md). A batch is formed once (its rows
 * and pushed_at are fixed), so every retry posts the same rows. Each attempt is recorded on disk as
 * {@code posting} before the POST and ends as sent, back to pending (nothing was written) or stays posting
 * (outcome unknown, resolved by the pusher). A table's open batches go out in the order of their first row.
 */
public final class Outbox {
    /** Pending or posting: the batches still to send, or to resolve, per table. */
    private static final String OPEN = "('pending', 'posting')";

    private final Database database;
    private final Jdbi jdbi;
    private final JsonMapper json;

    public Outbox(Database database, JsonMapper json) {
        this.database = database;
        this.jdbi = database.jdbi();
        this.json = json;
    }

    public record Batch(String batchId, String route, String table, int rowCount, int attempts, Instant nextAttemptAt,
                        Instant pushedAt, String state, String lastError, Long pushSeq, long firstRowId, String attemptId) {
        public boolean posting() {
            return "posting".equals(state);
        }
    }

    /**
     * A table of a route with rows not yet in any batch, as its index tells it without reading the rows: how many of
     * each priority, and the ids of the first and last background row (0 when there is none).
     */
    record UnbatchedTable(String table, long liveRows, long backgroundRows, long firstBackgroundId,
                          long lastBackgroundId) {}

    /**
     * Tables of a route that have rows not yet in any batch, the one whose rows waited longest first. Asked every
     * tenth of a second while a backfill fills the outbox, so it reads only the index, not the rows.
     */
    List<UnbatchedTable> unbatchedTables(String route) {
        record Group(String table, int priority, long rows, long firstId, long lastId) {}
        List<Group> groups = jdbi.withHandle(h -> h.createQuery("""
                        SELECT table_name, priority, COUNT(*), MIN(id), MAX(id) FROM outbox_row
                        WHERE route = :route AND batch_id IS NULL GROUP BY table_name, priority""")
                .bind("route", route)
                .map((rs, ctx) -> new Group(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .list());
        java.util.Map<String, Long> firstRow = new java.util.HashMap<>();
        java.util.Map<String, UnbatchedTable> tables = new java.util.HashMap<>();
        for (Group g : groups) {
            firstRow.merge(g.table(), g.firstId(), Math::min);
            UnbatchedTable t = tables.getOrDefault(g.table(), new UnbatchedTable(g.table(), 0, 0, 0, 0));
            tables.put(g.table(), g.priority() == LIVE
                    ? new UnbatchedTable(t.table(), t.liveRows() + g.rows(), t.backgroundRows(), t.firstBackgroundId(),
                            t.lastBackgroundId())
                    : new UnbatchedTable(t.table(), t.liveRows(), t.backgroundRows() + g.rows(), g.firstId(), g.lastId()));
        }
        return tables.values().stream().sorted(java.util.Comparator.comparing(t -> firstRow.get(t.table()))).toList();
    }

    /** When rows were written, by id (two rows' worth: a table's oldest and newest waiting row). */
    java.util.Map<Long, Instant> writtenAt(List<Long> ids) {
        return jdbi.withHandle(h -> {
            java.util.Map<Long, Instant> at = new java.util.HashMap<>();
            h.createQuery("SELECT id, created_at FROM outbox_row WHERE id IN (<ids>)").bindList("ids", ids)
                    .map((rs, ctx) -> at.put(rs.getLong(1), instant(rs, "created_at"))).list();
            return at;
        });
    }

    /** What a table's unbatched background rows weigh in a POST, as formBatch counts them. Reads every such row. */
    long unbatchedBackgroundBytes(String route, String table) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COALESCE(SUM(LENGTH(values_json) + :overhead), 0) FROM outbox_row
                        WHERE route = :route AND table_name = :table AND batch_id IS NULL AND priority = :background""")
                .bind("route", route).bind("table", table).bind("background", BACKGROUND)
                .bind("overhead", ROW_OVERHEAD_BYTES).mapTo(Long.class).one());
    }

    /**
     * Puts unbatched rows of one table into a new pending batch: at most {@code maxRows}, and at most {@code maxBytes}
     * of row JSON (Power BI refuses requests over 16 MB). Which rows, fairly (DESIGN §6): rows caused by webhooks
     * before backfill, sweep and rebuild rows, and within each the table's tenants take turns, each oldest first, so
     * one business's backfill does not hold back another's live changes. A record's rows still leave in order: a
     * row is taken only with every earlier unbatched row of its record in the table. Rows of a record that has a
     * quarantined row are held back until that row is sent, so the record's totals never go negative.
     */
    public Optional<Batch> formBatch(String route, String table, int maxRows, long maxBytes, Instant now) {
        return jdbi.inTransaction(h -> {
            FairPick pick = new FairPick(maxRows, maxBytes);
            for (int priority = LIVE; priority <= BACKGROUND && !pick.full; priority++) {
                List<java.util.Deque<RowSize>> turns = new ArrayList<>();
                for (String tenant : tenantsWaiting(h, route, table, priority)) {
                    turns.add(new java.util.ArrayDeque<>(rowsOfTenant(h, route, table, priority, tenant, maxRows)));
                }
                while (!pick.full && turns.stream().anyMatch(t -> !t.isEmpty())) {
                    for (java.util.Deque<RowSize> turn : turns) {
                        RowSize next = turn.pollFirst();
                        if (next == null || pick.has(next.id())) {
                            continue;
                        }
                        List<RowSize> withEarlier = priority == LIVE ? earlierRowsOfRecord(h, next) : new ArrayList<>();
                        withEarlier.add(next);
                        if (!pick.add(withEarlier)) {
                            break;
                        }
                    }
                }
            }
            if (pick.ids.isEmpty()) {
                return Optional.<Batch>empty();
            }
            return Optional.of(insertBatch(h, route, table, new ArrayList<>(pick.ids), pick.bytes, now, null));
        });
    }

    /** Row priorities (column outbox_row.priority): a webhook's change, and everything else. */
    static final int LIVE = 0;
    static final int BACKGROUND = 1;

    /** The priority of a row by its cause (see WebhookWorker: a webhook's rows carry "inbox:<ids>"). */
    static int priorityOf(String cause) {
        return cause.startsWith("inbox:") ? LIVE : BACKGROUND;
    }

    /** A row not yet held back by a quarantined row of its record (see formBatch). */
    private static final String NOT_HELD = " AND NOT EXISTS (SELECT 1 FROM outbox_row q JOIN outbox_batch b"
            + " ON b.batch_id = q.batch_id WHERE b.state = 'quarantined' AND q.tenant_id = r.tenant_id"
            + " AND q.object_type = r.object_type AND q.object_id = r.object_id AND q.id < r.id)";

    private record RowSize(long id, String tenantId, String objectType, String objectId, String table, String route,
                           long bytes) {}

    /** The rows chosen for a batch so far, in id order, within the batch's limits. */
    private static final class FairPick {
        final java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        final int maxRows;
        final long maxBytes;
        long bytes;
        boolean full;

        FairPick(int maxRows, long maxBytes) {
            this.maxRows = maxRows;
            this.maxBytes = maxBytes;
        }

        boolean has(long id) {
            return ids.contains(id);
        }

        /** Takes the rows together or not at all (the batch is full then); one batch takes at least one row. */
        boolean add(List<RowSize> rows) {
            List<RowSize> fresh = rows.stream().filter(r -> !ids.contains(r.id())).toList();
            long more = fresh.stream().mapToLong(RowSize::bytes).sum();
            if (!ids.isEmpty() && (ids.size() + fresh.size() > maxRows || bytes + more > maxBytes)) {
                full = true;
                return false;
            }
            for (RowSize row : fresh) {
                if (ids.size() == maxRows) {
                    break; // a record with more rows than a batch holds goes in order over several batches
                }
                ids.add(row.id());
                bytes += row.bytes();
            }
            full = ids.size() >= maxRows;
            return !full;
        }
    }

    private static List<String> tenantsWaiting(Handle h, String route, String table, int priority) {
        return h.createQuery("""
                        SELECT r.tenant_id FROM outbox_row r
                        WHERE r.route = :route AND r.table_name = :table AND r.batch_id IS NULL AND r.priority = :priority
                        GROUP BY r.tenant_id ORDER BY MIN(r.id)""")
                .bind("route", route).bind("table", table).bind("priority", priority).mapTo(String.class).list();
    }

    private static List<RowSize> rowsOfTenant(Handle h, String route, String table, int priority, String tenant, int max) {
        return h.createQuery("""
                        SELECT r.id, r.tenant_id, r.object_type, r.object_id, r.table_name, r.route, LENGTH(r.values_json)
                        FROM outbox_row r
                        WHERE r.route = :route AND r.table_name = :table AND r.batch_id IS NULL AND r.priority = :priority
                          AND r.tenant_id = :tenant""" + NOT_HELD + " ORDER BY r.id LIMIT :max")
                .bind("route", route).bind("table", table).bind("priority", priority).bind("tenant", tenant)
                .bind("max", max).map(Outbox::rowSize).list();
    }

    /** The record's unbatched rows of the table that came before {@code row} (background rows, as a rule). */
    private static List<RowSize> earlierRowsOfRecord(Handle h, RowSize row) {
        return h.createQuery("""
                        SELECT r.id, r.tenant_id, r.object_type, r.object_id, r.table_name, r.route, LENGTH(r.values_json)
                        FROM outbox_row r
                        WHERE r.tenant_id = :tenant AND r.object_type = :type AND r.object_id = :object
                          AND r.route = :route AND r.table_name = :table AND r.batch_id IS NULL AND r.id < :id
                        ORDER BY r.id""")
                .bind("tenant", row.tenantId()).bind("type", row.objectType()).bind("object", row.objectId())
                .bind("route", row.route()).bind("table", row.table()).bind("id", row.id())
                .map(Outbox::rowSize).collectIntoList();
    }

    private static RowSize rowSize(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new RowSize(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7) + ROW_OVERHEAD_BYTES);
    }

    /** What each row adds to its stored JSON when posted: sign, pushed_at_utc, batch_id, separators. */
    static final long ROW_OVERHEAD_BYTES = 120;

    /**
     * Inserts a batch of rows {@code ids} (ascending) that are unbatched, or all of batch {@code from} (a split).
     * Should any of them have been taken meanwhile, nothing is written: a batch must never count rows it lacks.
     */
    private static Batch insertBatch(Handle h, String route, String table, List<Long> ids, long bytes, Instant now,
                                     String from) {
        String batchId = UUID.randomUUID().toString();
        h.createUpdate("""
                        INSERT INTO outbox_batch (batch_id, route, table_name, row_count, state, attempts, next_attempt_at,
                                                  pushed_at, created_at, first_row_id, byte_count)
                        VALUES (:id, :route, :table, :count, 'pending', 0, :now, :now, :now, :first, :bytes)""")
                .bind("id", batchId).bind("route", route).bind("table", table).bind("count", ids.size())
                .bind("now", now).bind("first", ids.get(0)).bind("bytes", bytes).execute();
        // One row at a time by key: H2 checks every row against an IN list of 10,000 ids, which took seconds a batch.
        org.jdbi.v3.core.statement.PreparedBatch update = h.prepareBatch("UPDATE outbox_row SET batch_id = :batch"
                + " WHERE id = :row AND " + (from == null ? "batch_id IS NULL" : "batch_id = :from"));
        for (long row : ids) {
            update.bind("batch", batchId).bind("row", row);
            if (from != null) {
                update.bind("from", from);
            }
            update.add();
        }
        int taken = java.util.stream.IntStream.of(update.execute()).sum();
        if (taken != ids.size()) {
            throw new IllegalStateException("rows of table " + table + " were batched meanwhile; forming the batch again");
        }
        return new Batch(batchId, route, table, ids.size(), 0, now, now, "pending", null, null, ids.get(0), null);
    }

    /**
     * Per table of the route, its first open batch (pending or posting, lowest first row): the only one of the
     * table that may be posted or resolved now, so a table's batches leave in order.
     */
    public List<Batch> headOfEachTable(String route) {
        // A batch holding a sequence number (it was posted before) goes first: a batch sent before it would take
        // a higher number, and the service would then drop it as a duplicate.
        List<Batch> open = jdbi.withHandle(h -> h.createQuery("SELECT * FROM outbox_batch WHERE route = :route"
                        + " AND state IN " + OPEN + " ORDER BY table_name, CASE WHEN push_seq IS NULL THEN 1 ELSE 0 END,"
                        + " first_row_id, seq")
                .bind("route", route).map(Outbox::batch).list());
        java.util.Map<String, Batch> heads = new java.util.LinkedHashMap<>();
        open.forEach(b -> heads.putIfAbsent(b.table(), b));
        return new ArrayList<>(heads.values());
    }

    /** The rows of a batch as posted: stored values plus sign, pushed_at_utc and batch_id. */
    public List<ObjectNode> rowsOf(Batch batch) {
        String pushedAt = batch.pushedAt().toString();
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT sign, values_json FROM outbox_row WHERE batch_id = :batch ORDER BY id")
                .bind("batch", batch.batchId())
                .map((rs, ctx) -> {
                    ObjectNode row = (ObjectNode) json.readTree(rs.getString("values_json"));
                    row.put("sign", rs.getInt("sign"));
                    row.put("pushed_at_utc", pushedAt);
                    row.put("batch_id", batch.batchId());
                    return row;
                })
                .list());
    }

    /**
     * Records an attempt on disk before the POST: state posting, its attempt id and start, and the batch's push
     * sequence number (taken from the table's counter at its first attempt, kept for every retry). Returns the
     * batch as it now stands. Throws {@link Leases.LeaseLostException} unless {@code lease} (the route's) is still
     * this instance's: an owner that lost the route must not post.
     */
    public Batch beginAttempt(Batch batch, String attemptId, Instant now, Leases.Lease lease) {
        return database.inDurableTransaction(h -> {
            Leases.checkHeld(h, lease);
            Long seq = batch.pushSeq();
            if (seq == null) {
                seq = nextSequenceNumber(h, batch.route(), batch.table());
            }
            int updated = h.createUpdate("""
                            UPDATE outbox_batch SET state = 'posting', attempt_id = :attempt, posting_since = :now,
                                   push_seq = :seq
                            WHERE batch_id = :id AND state IN ('pending', 'posting')""")
                    .bind("attempt", attemptId).bind("now", now).bind("seq", seq).bind("id", batch.batchId()).execute();
            if (updated != 1) {
                throw new IllegalStateException("batch " + batch.batchId() + " is no longer open");
            }
            return new Batch(batch.batchId(), batch.route(), batch.table(), batch.rowCount(), batch.attempts(),
                    batch.nextAttemptAt(), batch.pushedAt(), "posting", batch.lastError(), seq, batch.firstRowId(), attemptId);
        });
    }

    private static long nextSequenceNumber(Handle h, String route, String table) {
        ensurePushTable(h, route, table);
        long last = h.createQuery("SELECT last_seq FROM push_table WHERE route = :route AND table_name = :table FOR UPDATE")
                .bind("route", route).bind("table", table).mapTo(Long.class).one();
        h.createUpdate("UPDATE push_table SET last_seq = :seq WHERE route = :route AND table_name = :table")
                .bind("seq", last + 1).bind("route", route).bind("table", table).execute();
        return last + 1;
    }

    private static void ensurePushTable(Handle h, String route, String table) {
        boolean exists = h.createQuery("SELECT COUNT(*) FROM push_table WHERE route = :route AND table_name = :table")
                .bind("route", route).bind("table", table).mapTo(Integer.class).one() > 0;
        if (!exists) {
            h.createUpdate("INSERT INTO push_table (route, table_name, last_seq, rows_in_table) VALUES (:route, :table, 0, 0)")
                    .bind("route", route).bind("table", table).execute();
        }
    }

    /**
     * Never hand out a number the service has already seen for this table (a store restored from an older backup,
     * a dataset adopted from another install): such a POST would be dropped as a duplicate.
     */
    public void raiseSequenceNumber(String route, String table, long atLeast) {
        database.inDurableTransaction(h -> {
            ensurePushTable(h, route, table);
            return h.createUpdate("UPDATE push_table SET last_seq = :n WHERE route = :route AND table_name = :table AND last_seq < :n")
                    .bind("n", atLeast).bind("route", route).bind("table", table).execute();
        });
    }

    /** Power BI has the batch's rows (its 200, or a resolution that found them). */
    public void markSent(Batch batch, Instant now) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE outbox_batch SET state = 'sent', sent_at = :now, attempts = attempts + 1, last_error = NULL
                            WHERE batch_id = :id AND state = 'posting' AND COALESCE(attempt_id, '') = :attempt""")
                    .bind("id", batch.batchId()).bind("now", now).bind("attempt", attemptOf(batch)).execute();
            if (updated == 1) { // not when a rebuild superseded it meanwhile: the table is cleared anyway
                ensurePushTable(h, batch.route(), batch.table());
                h.createUpdate("UPDATE push_table SET rows_in_table = rows_in_table + :n WHERE route = :route AND table_name = :table")
                        .bind("n", batch.rowCount()).bind("route", batch.route()).bind("table", batch.table()).execute();
            }
        });
    }

    /**
     * Nothing of this attempt was written (refused, throttled, never sent): send the same rows again at
     * {@code nextAttemptAt}. The batch keeps its sequence number: an earlier attempt whose outcome was unknown may
     * still be applied late, and the service must then drop the one that comes second. Keeping it costs nothing,
     * since a batch holding a number is first in its table's line (headOfEachTable).
     */
    public void retryLater(Batch batch, Instant nextAttemptAt, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET state = 'pending', attempts = attempts + 1, next_attempt_at = :at,
                               last_error = :error
                        WHERE batch_id = :id AND state IN ('pending', 'posting') AND COALESCE(attempt_id, '') = :attempt""")
                .bind("id", batch.batchId()).bind("at", nextAttemptAt).bind("error", clip(error))
                .bind("attempt", attemptOf(batch)).execute());
    }

    /**
     * An unknown outcome was found not applied: send the batch again now with the same sequence number, so that
     * should the first request still be applied late, the service takes only one of the two. It stays first in
     * its table's line (see headOfEachTable).
     */
    public void sendAgainWithSameNumber(Batch batch, Instant now, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET state = 'pending', next_attempt_at = :at, last_error = :error
                        WHERE batch_id = :id AND state = 'posting' AND COALESCE(attempt_id, '') = :attempt""")
                .bind("id", batch.batchId()).bind("at", now).bind("error", clip(error))
                .bind("attempt", attemptOf(batch)).execute());
    }

    /** The outcome is unknown: keep the batch posting (so nothing else of its table goes) and say why. */
    public void outcomeUnknown(Batch batch, Instant resolveAt, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET attempts = attempts + 1, next_attempt_at = :at, last_error = :error
                        WHERE batch_id = :id AND state = 'posting' AND COALESCE(attempt_id, '') = :attempt""")
                .bind("id", batch.batchId()).bind("at", resolveAt).bind("error", clip("outcome unknown: " + error))
                .bind("attempt", attemptOf(batch)).execute());
    }

    /**
     * Power BI refused some rows of the batch: replaces it by its two halves (by row order), pending at once. The
     * halves take new sequence numbers when they go out; the refused batch's number was never applied.
     */
    public void split(Batch batch, String reason, Instant now) {
        jdbi.useTransaction(h -> {
            List<long[]> rows = h.createQuery("SELECT id, LENGTH(values_json) FROM outbox_row WHERE batch_id = :batch ORDER BY id")
                    .bind("batch", batch.batchId())
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2) + ROW_OVERHEAD_BYTES}).list();
            if (rows.size() < 2) {
                throw new IllegalArgumentException("a batch of " + rows.size() + " row cannot be split");
            }
            int updated = h.createUpdate("UPDATE outbox_batch SET state = 'split', attempts = attempts + 1, last_error = :error"
                            + " WHERE batch_id = :id AND state IN ('pending', 'posting') AND COALESCE(attempt_id, '') = :attempt")
                    .bind("id", batch.batchId()).bind("error", clip(reason)).bind("attempt", attemptOf(batch)).execute();
            if (updated != 1) {
                return; // superseded by a rebuild, or in another attempt's hands
            }
            int half = rows.size() / 2;
            for (List<long[]> part : List.of(rows.subList(0, half), rows.subList(half, rows.size()))) {
                insertBatch(h, batch.route(), batch.table(), part.stream().map(r -> r[0]).toList(),
                        part.stream().mapToLong(r -> r[1]).sum(), now, batch.batchId());
            }
        });
    }

    /**
     * Power BI refuses this one-row batch: keep it aside with the reason, and take its record's later rows (of any
     * table) out of the batches not sent yet (they wait, unbatched, until this row is sent: see formBatch).
     */
    public void quarantine(Batch batch, String reason, Instant now) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE outbox_batch SET state = 'quarantined', attempts = attempts + 1, last_error = :error,
                                   next_attempt_at = :now
                            WHERE batch_id = :id AND state IN ('pending', 'posting') AND COALESCE(attempt_id, '') = :attempt""")
                    .bind("id", batch.batchId()).bind("now", now).bind("error", clip(reason))
                    .bind("attempt", attemptOf(batch)).execute();
            if (updated != 1) {
                return; // superseded by a rebuild, or in another attempt's hands
            }
            List<String> touched = h.createQuery("""
                            SELECT DISTINCT later.batch_id FROM outbox_row q
                            JOIN outbox_row later ON later.tenant_id = q.tenant_id AND later.object_type = q.object_type
                                 AND later.object_id = q.object_id AND later.route = q.route AND later.id > q.id
                            JOIN outbox_batch b ON b.batch_id = later.batch_id
                            WHERE q.batch_id = :id AND b.state = 'pending'""")
                    .bind("id", batch.batchId()).mapTo(String.class).list();
            h.createUpdate("""
                            UPDATE outbox_row SET batch_id = NULL WHERE id IN (
                                SELECT later.id FROM outbox_row q
                                JOIN outbox_row later ON later.tenant_id = q.tenant_id AND later.object_type = q.object_type
                                     AND later.object_id = q.object_id AND later.route = q.route AND later.id > q.id
                                JOIN outbox_batch b ON b.batch_id = later.batch_id
                                WHERE q.batch_id = :id AND b.state = 'pending')""")
                    .bind("id", batch.batchId()).execute();
            for (String emptied : touched) {
                recount(h, emptied);
            }
        });
    }

    /** Puts the table's batches quarantined since {@code since} back in line (their refusal was the table's fault). */
    public int requeueQuarantined(String route, String table, Instant since) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE outbox_batch SET state = 'pending', push_seq = NULL
                        WHERE route = :route AND table_name = :table AND state = 'quarantined' AND next_attempt_at >= :since""")
                .bind("route", route).bind("table", table).bind("since", since).execute());
    }

    /** A batch that lost rows: its count and first row follow, and with no rows left it is done with. */
    private static void recount(Handle h, String batchId) {
        long[] left = h.createQuery("SELECT COUNT(*), COALESCE(MIN(id), 0) FROM outbox_row WHERE batch_id = :id")
                .bind("id", batchId).map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).one();
        if (left[0] == 0) {
            h.createUpdate("UPDATE outbox_batch SET state = 'superseded', row_count = 0 WHERE batch_id = :id")
                    .bind("id", batchId).execute();
        } else {
            h.createUpdate("UPDATE outbox_batch SET row_count = :n, first_row_id = :first WHERE batch_id = :id")
                    .bind("n", left[0]).bind("first", left[1]).bind("id", batchId).execute();
        }
    }

    /** Rows Power BI holds per table of a route since the table was last cleared (the 250,000-row rule, the cap). */
    public java.util.Map<String, Long> rowsInTables(String route) {
        return jdbi.withHandle(h -> {
            java.util.Map<String, Long> counts = new java.util.TreeMap<>();
            h.createQuery("SELECT table_name, rows_in_table FROM push_table WHERE route = :route")
                    .bind("route", route)
                    .map((rs, ctx) -> counts.put(rs.getString(1), rs.getLong(2))).list();
            return counts;
        });
    }

    /**
     * Puts a quarantined batch back in line, after its cause was fixed. A one-row batch whose record has changed
     * since (its held rows begin with the exact reversal of the quarantined row) is instead cancelled together
     * with that reversal: the record's current rows then go out, and Power BI ends at the record's truth.
     * Returns false when the batch is not quarantined.
     */
    public boolean replay(String batchId, Instant now) {
        return jdbi.inTransaction(h -> {
            List<Long> rows = h.createQuery("""
                            SELECT r.id FROM outbox_row r JOIN outbox_batch b ON b.batch_id = r.batch_id
                            WHERE b.batch_id = :id AND b.state = 'quarantined'""")
                    .bind("id", batchId).mapTo(Long.class).list();
            if (rows.isEmpty()) {
                return false;
            }
            Optional<Long> reversal = rows.size() != 1 ? Optional.empty() : h.createQuery("""
                            SELECT later.id FROM outbox_row q JOIN outbox_row later
                                 ON later.route = q.route AND later.table_name = q.table_name AND later.tenant_id = q.tenant_id
                                AND later.object_type = q.object_type AND later.object_id = q.object_id
                                AND later.row_key = q.row_key AND later.values_json = q.values_json
                                AND later.sign = -q.sign AND later.id > q.id AND later.batch_id IS NULL
                            WHERE q.id = :row ORDER BY later.id LIMIT 1""")
                    .bind("row", rows.get(0)).mapTo(Long.class).findFirst();
            if (reversal.isPresent()) {
                h.createUpdate("DELETE FROM outbox_row WHERE id = :id").bind("id", reversal.get()).execute();
                h.createUpdate("""
                                UPDATE outbox_batch SET state = 'superseded', last_error = 'cancelled on replay: its record'
                                       || ' changed since, and the reversal of this row was dropped with it'
                                WHERE batch_id = :id""")
                        .bind("id", batchId).execute();
                return true;
            }
            return h.createUpdate("""
                            UPDATE outbox_batch SET state = 'pending', next_attempt_at = :now, push_seq = NULL
                            WHERE batch_id = :id AND state = 'quarantined'""")
                    .bind("id", batchId).bind("now", now).execute() == 1;
        });
    }

    /**
     * Quarantined rows whose fault is settled as theirs: their table accepted a POST since (the pusher's streak of
     * one-row refusals ended, so the table is fine), or they have waited since before {@code undecidedSince}. Rows
     * quarantined while a wrong table is being found out are not counted: the table gets blocked and takes them back.
     */
    public long settledQuarantineCount(String route, Instant undecidedSince) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) FROM outbox_batch q
                        WHERE q.route = :route AND q.state = 'quarantined'
                          AND (q.next_attempt_at < :undecidedSince OR EXISTS (
                                SELECT 1 FROM outbox_batch s WHERE s.route = q.route AND s.table_name = q.table_name
                                AND s.state = 'sent' AND s.sent_at >= q.next_attempt_at))""")
                .bind("route", route).bind("undecidedSince", undecidedSince).mapTo(Long.class).one());
    }

    public List<Batch> quarantined() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM outbox_batch WHERE state = 'quarantined' ORDER BY seq")
                .map(Outbox::batch).list());
    }

    public long sentRowCount() {
        return jdbi.withHandle(h -> h.createQuery(
                "SELECT (SELECT COALESCE(SUM(row_count), 0) FROM outbox_batch WHERE state = 'sent')"
                        + " + (SELECT COALESCE(SUM(deleted), 0) FROM retention_total WHERE kind = 'outbox')")
                .mapTo(Long.class).one());
    }

    /** When the oldest row not yet accepted by Power BI was written, or null when none waits. */
    public Instant oldestUnsentCreatedAt() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(r.created_at) FROM outbox_row r"
                        + " LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id"
                        + " WHERE r.batch_id IS NULL OR b.state NOT IN ('sent', 'superseded', 'split')")
                .mapTo(java.time.OffsetDateTime.class).findFirst().map(java.time.OffsetDateTime::toInstant).orElse(null));
    }

    /** When the oldest webhook event behind one record's rows in a batch arrived (rows of webhooks only). */
    public record EventTime(String tenantId, Instant receivedAt) {}

    /** Per record in the batch whose rows came from webhooks: its tenant and when its oldest event arrived. */
    public List<EventTime> eventTimesOf(String batchId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT tenant_id, MIN(received_at) AS received_at FROM outbox_row
                        WHERE batch_id = :batch AND received_at IS NOT NULL
                        GROUP BY tenant_id, object_type, object_id""")
                .bind("batch", batchId)
                .map((rs, ctx) -> new EventTime(rs.getString(1), instant(rs, "received_at")))
                .list());
    }

    /** Batches whose POST has an unknown outcome right now (a crash, a timeout, a 5xx), waiting to be resolved. */
    public long postingBatchCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM outbox_batch WHERE state = 'posting'")
                .mapTo(Long.class).one());
    }

    /** Unsent rows of one table in one state: the same set as {@link #unsentRowCount}, so the parts add up. */
    public record WaitingRows(String table, String state, boolean backingOff, long count, Instant oldest) {}

    /**
     * {@link #unsentRowCount}'s rows by table and batch state ({@code unbatched}, {@code pending}, {@code posting},
     * {@code quarantined}); {@code backingOff}: a pending batch that failed and waits for its next attempt.
     */
    public List<WaitingRows> waitingRows(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT table_name, state, backing_off, COUNT(*) AS n, MIN(created_at) AS oldest FROM (
                          SELECT r.table_name, COALESCE(b.state, 'unbatched') AS state,
                                 CASE WHEN b.state = 'pending' AND b.attempts > 0 AND b.next_attempt_at > :now
                                      THEN 1 ELSE 0 END AS backing_off, r.created_at
                          FROM outbox_row r LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id
                          WHERE r.batch_id IS NULL OR b.state NOT IN ('sent', 'superseded', 'split')) x
                        GROUP BY table_name, state, backing_off ORDER BY table_name, state""")
                .bind("now", now)
                .map((rs, ctx) -> new WaitingRows(rs.getString("table_name"), rs.getString("state"),
                        rs.getInt("backing_off") == 1, rs.getLong("n"), instant(rs, "oldest")))
                .list());
    }

    public long unsentRowCount() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) FROM outbox_row r LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id
                        WHERE r.batch_id IS NULL OR b.state NOT IN ('sent', 'superseded', 'split')""").mapTo(Long.class).one());
    }

    /**
     * A result is written only for the attempt it belongs to: an instance that lost the route while its POST was
     * out must not overwrite what the new owner decided about the batch since.
     */
    private static String attemptOf(Batch batch) {
        return batch.attemptId() == null ? "" : batch.attemptId();
    }

    /** A POST attempt: when it began and how many rows it carried (the quota it spent). */
    public record Attempt(Instant at, int rows) {}

    /** The route's POST attempts since {@code since}, oldest first (each batch's latest), for a new owner's quota. */
    public List<Attempt> attemptsSince(String route, Instant since) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT posting_since, row_count FROM outbox_batch
                        WHERE route = :route AND posting_since > :since ORDER BY posting_since""")
                .bind("route", route).bind("since", since)
                .map((rs, ctx) -> new Attempt(rs.getObject(1, java.time.OffsetDateTime.class).toInstant(), rs.getInt(2)))
                .list());
    }

    /** Error texts are kept to the column's 2,000 characters. */
    static String clip(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
    }

    private static Batch batch(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Batch(rs.getString("batch_id"), rs.getString("route"), rs.getString("table_name"),
                rs.getInt("row_count"), rs.getInt("attempts"), instant(rs, "next_attempt_at"), instant(rs, "pushed_at"),
                rs.getString("state"), rs.getString("last_error"), (Long) rs.getObject("push_seq", Long.class),
                rs.getLong("first_row_id"), rs.getString("attempt_id"));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        java.time.OffsetDateTime t = rs.getObject(column, java.time.OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
