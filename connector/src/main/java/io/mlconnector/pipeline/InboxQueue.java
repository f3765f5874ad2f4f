package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.store.Database;
import io.mlconnector.store.SqlDialect;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The pipeline's view of the webhook inbox: which records have pending events, coalesced, and who works on
 * which (table {@code inbox_work}, see its migration V11). A record is due once its events have been quiet for
 * the coalescing window (a burst of edits becomes one fetch), or once its oldest pending event has waited
 * {@code maxDelay} (so a record edited non-stop still moves); and while it is not claimed, not backing off after
 * a failure ({@code not_before}) and not dead-lettered. Events of a tenant that needs reauthorization wait in
 * the inbox until it is reconnected.
 *
 * <p>Claims are leases, not open transactions: {@link #claim} stamps {@code claimed_by}/{@code claimed_until}
 * in one short transaction ({@code SELECT … FOR UPDATE SKIP LOCKED}), and the FreshBooks fetch runs with no
 * transaction open, so a slow FreshBooks holds no connection and no lock. The claimer {@link #renew}s its claims
 * while it works; a killed instance's claims lapse at {@code claimed_until} and any instance takes them. Every
 * claim raises {@code claim_token}, and finishing, failing or releasing checks it, so a claimer that lost its
 * claim (paused past it) cannot touch its successor's. A record that gets new events while claimed stays
 * claimed; its fetch covers those stored before it began ({@link #pendingEventIds}), and those stored later make
 * it due again once its claimer is done: one more fetch, by whichever instance.
 */
public final class InboxQueue {
    private static final List<String> KEY = List.of("tenant_id", "object_type", "object_id");
    /** Per-record conditions of being due, on inbox_work w (no row: due). */
    private static final String WORKABLE = """
            (w.tenant_id IS NULL OR (w.dead_lettered_at IS NULL AND (w.not_before IS NULL OR w.not_before <= :now)
             AND (w.claimed_until IS NULL OR w.claimed_until <= :now)))""";

    private final Jdbi jdbi;
    private final SqlDialect dialect;
    private final Duration quietWindow;
    private final Duration maxDelay;

    public InboxQueue(Database database, Duration quietWindow, Duration maxDelay) {
        this.jdbi = database.jdbi();
        this.dialect = database.dialect();
        this.quietWindow = quietWindow;
        this.maxDelay = maxDelay;
    }

    /** A due record and the newest inbox id its fetch will cover. */
    public record DueRecord(RecordKey key, long firstInboxId, long lastInboxId, int events) {}

    /**
     * A due record claimed by {@code claimedBy} until it renews, finishes, fails or releases it.
     *
     * @param attempts failed attempts before this one
     */
    public record Claim(DueRecord due, String claimedBy, long token, int attempts) {
        public RecordKey key() {
            return due.key();
        }
    }

    /** A record no longer fetched after {@code attempts} failures, and the command that queues it again. */
    public record DeadLetter(String tenantId, String record, int attempts, String reason, Instant since, String fix) {}

    /** How many records are dead-lettered, and the newest few. */
    public record DeadLetters(long count, List<DeadLetter> newest) {}

    /**
     * Due records, fairly: each tenant's oldest first, then each tenant's second oldest, and so on, so a tenant
     * with thousands of due records does not hold back another's one. Nothing claimed, backing off or
     * dead-lettered is counted against {@code limit}.
     * <p>The pending events are grouped from the index alone (V19) and the tenant is joined to the groups, not to
     * each event: on H2 with 20,000 events waiting, 132 ms a call before, 29 ms after.
     */
    public List<DueRecord> due(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT tenant_id, object_type, object_id, first_id, last_id, events FROM (
                            SELECT p.tenant_id, p.object_type, p.object_id, p.first_id, p.last_id, p.events,
                                   ROW_NUMBER() OVER (PARTITION BY p.tenant_id ORDER BY p.first_id) AS turn
                            FROM (
                                SELECT i.tenant_id, i.object_type, i.object_id, MIN(i.id) AS first_id,
                                       MAX(i.id) AS last_id, COUNT(*) AS events
                                FROM inbox i
                                WHERE i.processed_at IS NULL
                                GROUP BY i.tenant_id, i.object_type, i.object_id
                                HAVING MAX(i.received_at) <= :quietSince OR MIN(i.received_at) <= :waitingSince
                            ) p
                            JOIN tenant t ON t.tenant_id = p.tenant_id AND t.status = 'active'
                            LEFT JOIN inbox_work w ON w.tenant_id = p.tenant_id AND w.object_type = p.object_type
                                                  AND w.object_id = p.object_id
                            WHERE""" + WORKABLE + """
                        ) d
                        ORDER BY turn, first_id
                        LIMIT :limit""")
                .bind("quietSince", now.minus(quietWindow))
                .bind("waitingSince", now.minus(maxDelay))
                .bind("now", now)
                .bind("limit", limit)
                .map((rs, ctx) -> new DueRecord(
                        new RecordKey(rs.getString("tenant_id"), rs.getString("object_type"), rs.getString("object_id")),
                        rs.getLong("first_id"), rs.getLong("last_id"), rs.getInt("events")))
                .list());
    }

    /**
     * Claims up to {@code limit} due records for {@code instanceId} until {@code now + leaseFor}, in the fair order
     * of {@link #due}. Records another claimer holds or claims at the same moment are skipped, never waited for.
     */
    public List<Claim> claim(String instanceId, Instant now, Duration leaseFor, int limit) {
        List<DueRecord> candidates = due(now, limit);
        if (candidates.isEmpty()) {
            return List.of();
        }
        // Rows are created and locked in key order, so two claimers never wait for each other in a circle.
        List<DueRecord> inKeyOrder = candidates.stream().sorted(Comparator.comparing((DueRecord d) -> d.key().tenantId())
                .thenComparing(d -> d.key().objectType()).thenComparing(d -> d.key().objectId())).toList();
        try {
            return jdbi.inTransaction(h -> {
                PreparedBatch create = h.prepareBatch(dialect.insertIfAbsent("inbox_work", KEY, KEY));
                for (DueRecord due : inKeyOrder) {
                    bindKey(create, due.key()).add();
                }
                create.execute();
                record Locked(RecordKey key, long token, int attempts, boolean pending) {}
                var select = h.createQuery("SELECT w.tenant_id, w.object_type, w.object_id, w.claim_token, w.attempts,"
                        + """
                         CASE WHEN EXISTS (SELECT 1 FROM inbox i WHERE i.tenant_id = w.tenant_id
                                           AND i.object_type = w.object_type AND i.object_id = w.object_id
                                           AND i.processed_at IS NULL) THEN 1 ELSE 0 END AS pending
                        FROM inbox_work w WHERE (w.tenant_id, w.object_type, w.object_id) IN ("""
                        + keyList(inKeyOrder.size()) + ") AND " + WORKABLE
                        + " ORDER BY w.tenant_id, w.object_type, w.object_id" + dialect.forUpdateSkipLocked());
                List<Locked> locked = bindKeys(select, inKeyOrder).bind("now", now)
                        .map((rs, ctx) -> new Locked(new RecordKey(rs.getString(1), rs.getString(2), rs.getString(3)),
                                rs.getLong(4), rs.getInt(5), rs.getInt(6) == 1))
                        .list();
                // A candidate another claimer completed since due() read it has nothing pending: its row goes.
                PreparedBatch delete = h.prepareBatch("DELETE FROM inbox_work"
                        + " WHERE tenant_id = :tenant_id AND object_type = :object_type AND object_id = :object_id");
                locked.stream().filter(l -> !l.pending()).forEach(l -> bindKey(delete, l.key()).add());
                if (delete.size() > 0) {
                    delete.execute();
                }
                Map<RecordKey, Locked> claimable = new HashMap<>();
                locked.stream().filter(Locked::pending).forEach(l -> claimable.put(l.key(), l));
                if (claimable.isEmpty()) {
                    return List.<Claim>of();
                }
                PreparedBatch stamp = h.prepareBatch("""
                        UPDATE inbox_work SET claimed_by = :me, claimed_until = :until, claim_token = :token
                        WHERE tenant_id = :tenant_id AND object_type = :object_type AND object_id = :object_id""");
                List<Claim> claims = new ArrayList<>();
                for (DueRecord due : candidates) { // in due()'s fair order
                    Locked row = claimable.get(due.key());
                    if (row != null) {
                        long token = row.token() + 1;
                        bindKey(stamp, due.key()).bind("me", instanceId).bind("until", now.plus(leaseFor))
                                .bind("token", token).add();
                        claims.add(new Claim(due, instanceId, token, row.attempts()));
                    }
                }
                stamp.execute();
                return claims;
            });
        } catch (JdbiException e) {
            if (uniqueViolation(e)) {
                return List.of(); // H2: another claimer created the same rows at this moment; they are its claims
            }
            throw e;
        }
    }

    /** Extends the claims still held to {@code until}; returns how many were. */
    public int renew(Collection<Claim> claims, Instant until) {
        if (claims.isEmpty()) {
            return 0;
        }
        return jdbi.withHandle(h -> {
            PreparedBatch renew = h.prepareBatch("UPDATE inbox_work SET claimed_until = :until WHERE " + HELD);
            for (Claim claim : claims) {
                bindHeld(renew, claim).bind("until", until).add();
            }
            int renewed = 0;
            for (int count : renew.execute()) {
                renewed += count;
            }
            return renewed;
        });
    }

    /**
     * The ids of a claimed record's pending events, read just before its fetch: each notifies a change FreshBooks
     * made before the event was stored, so the fetch that follows reads a state at least as new as all of them. A
     * claim may wait seconds in a lane, and events that arrive meanwhile are covered too, rather than costing a
     * second read.
     */
    public List<Long> pendingEventIds(RecordKey key) {
        return pendingEvents(key).ids();
    }

    /** The ids of a record's pending events and when the earliest of them was received (null: none pending). */
    public record PendingEvents(List<Long> ids, Instant firstReceivedAt) {}

    /** As {@link #pendingEventIds}, with the earliest receipt, which the record's rows carry (freshness). */
    public PendingEvents pendingEvents(RecordKey key) {
        record Event(long id, Instant receivedAt) {}
        List<Event> events = jdbi.withHandle(h -> bindKey(h.createQuery("""
                        SELECT id, received_at FROM inbox WHERE processed_at IS NULL
                          AND tenant_id = :tenant_id AND object_type = :object_type AND object_id = :object_id
                        ORDER BY id"""), key)
                .map((rs, ctx) -> new Event(rs.getLong("id"),
                        rs.getObject("received_at", java.time.OffsetDateTime.class).toInstant()))
                .list());
        return new PendingEvents(events.stream().map(Event::id).toList(),
                events.stream().map(Event::receivedAt).min(Comparator.naturalOrder()).orElse(null));
    }

    /**
     * In the transaction that wrote the record's rows: marks the events its fetch covered ({@link #pendingEventIds})
     * done and ends the claim with its retry state. Events that arrived since stay pending, for one more fetch.
     * (Ids, not an id range: on PostgreSQL two instances may commit events out of id order, and an event committed
     * after the fetch began may notify a change the fetch did not see.)
     */
    public void completed(Handle handle, Claim claim, List<Long> coveredEventIds, Instant now) {
        if (!coveredEventIds.isEmpty()) {
            // One primary-key update per id in a JDBC batch: H2 tested `id = ANY(:ids)` against every id for each
            // of the record's pending rows (most of a lane's CPU under load), and an IN list's text varies with its
            // length, which Jdbi parses anew each time.
            PreparedBatch done = handle.prepareBatch("UPDATE inbox SET processed_at = :now WHERE id = :id AND processed_at IS NULL");
            for (long id : coveredEventIds) {
                done.bind("now", now).bind("id", id).add();
            }
            done.execute();
        }
        bindHeld(handle.createUpdate("DELETE FROM inbox_work WHERE " + HELD), claim).execute();
    }

    /**
     * Ends a failed attempt: the record is due again at {@code notBefore}, or, with {@code deadLetteredAt}, not until
     * a replay. False when the claim had lapsed and another claimer holds the record (nothing is written).
     *
     * @param error one line naming the cause, never a token or a body
     */
    public boolean failed(Claim claim, int attempts, Instant notBefore, Instant deadLetteredAt, String error) {
        return jdbi.withHandle(h -> bindHeld(h.createUpdate("""
                        UPDATE inbox_work SET attempts = :attempts, not_before = :notBefore, last_error = :error,
                                              dead_lettered_at = :dead, claimed_by = NULL, claimed_until = NULL
                        WHERE""" + " " + HELD), claim)
                .bind("attempts", attempts).bind("notBefore", notBefore).bind("dead", deadLetteredAt)
                .bind("error", error)
                .execute()) == 1;
    }

    /** Gives the record back untried (not an attempt): due again as soon as it otherwise is. */
    public void release(Claim claim) {
        jdbi.useHandle(h -> bindHeld(h.createUpdate(
                "UPDATE inbox_work SET claimed_by = NULL, claimed_until = NULL WHERE " + HELD), claim).execute());
    }

    /**
     * Gives back the claims a killed process left, when an instance starts: those under its own name (a previous run
     * of it), and on a store only one process can open (H2) every claim. Returns how many. Others lapse.
     */
    public int releaseLeftBehind(String instanceId) {
        String release = "UPDATE inbox_work SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL";
        return jdbi.withHandle(h -> dialect.oneProcess() ? h.createUpdate(release).execute()
                : h.createUpdate(release + " AND claimed_by = :me").bind("me", instanceId).execute());
    }

    /** The dead-lettered records: how many, and the {@code newest} most recent. */
    public DeadLetters deadLetters(int newest) {
        return jdbi.withHandle(h -> new DeadLetters(
                h.createQuery("SELECT COUNT(*) FROM inbox_work WHERE dead_lettered_at IS NOT NULL").mapTo(Long.class).one(),
                h.createQuery("""
                                SELECT tenant_id, object_type, object_id, attempts, last_error, dead_lettered_at
                                FROM inbox_work WHERE dead_lettered_at IS NOT NULL
                                ORDER BY dead_lettered_at DESC, tenant_id, object_type, object_id
                                LIMIT :newest""")
                        .bind("newest", newest)
                        .map((rs, ctx) -> deadLetter(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                rs.getString(5), rs.getObject(6, OffsetDateTime.class).toInstant()))
                        .list()));
    }

    public long deadLetterCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM inbox_work WHERE dead_lettered_at IS NOT NULL")
                .mapTo(Long.class).one());
    }

    /** Makes the dead-lettered records of a tenant (null: of every tenant) due again, attempts from zero; returns how many. */
    public int requeueDeadLetters(String tenantId) {
        String all = "UPDATE inbox_work SET " + FRESH + " WHERE dead_lettered_at IS NOT NULL";
        return jdbi.withHandle(h -> tenantId == null ? h.createUpdate(all).execute()
                : h.createUpdate(all + " AND tenant_id = :tenant").bind("tenant", tenantId).execute());
    }

    /** Makes one record due again at once (a replay): clears its backoff, attempts and dead letter; false if it had none. */
    public boolean requeue(RecordKey key) {
        return jdbi.withHandle(h -> bindKey(h.createUpdate("UPDATE inbox_work SET " + FRESH
                + " WHERE tenant_id = :tenant_id AND object_type = :object_type AND object_id = :object_id"), key)
                .execute()) == 1;
    }

    /** Every event ever stored (processed or not). */
    public long totalCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT (SELECT COUNT(*) FROM inbox)"
                + " + (SELECT COALESCE(SUM(deleted), 0) FROM retention_total WHERE kind = 'inbox')").mapTo(Long.class).one());
    }

    /** When the oldest unprocessed event arrived, or null when none waits. */
    public Instant oldestPendingReceivedAt() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(received_at) FROM inbox WHERE processed_at IS NULL")
                .mapTo(OffsetDateTime.class).findFirst().map(OffsetDateTime::toInstant).orElse(null));
    }

    /** Pending inbox events counted by why they wait: the same set as {@link #pendingCount}, so the parts add up. */
    public record WaitingEvents(String why, long count, Instant oldest) {}

    /**
     * {@link #pendingCount}'s events split by why they wait ({@code dead_lettered}, {@code tenant_needs_reauthorization},
     * {@code retrying} after a failed fetch, else {@code queued}: in their quiet window, due or being fetched).
     */
    public List<WaitingEvents> waiting(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT why, COUNT(*) AS n, MIN(received_at) AS oldest FROM (
                          SELECT CASE WHEN w.dead_lettered_at IS NOT NULL THEN 'dead_lettered'
                                      WHEN t.status IS NOT NULL AND t.status <> 'active' THEN 'tenant_needs_reauthorization'
                                      WHEN w.not_before IS NOT NULL AND w.not_before > :now THEN 'retrying'
                                      ELSE 'queued' END AS why, i.received_at
                          FROM inbox i
                          LEFT JOIN inbox_work w ON w.tenant_id = i.tenant_id AND w.object_type = i.object_type
                                                AND w.object_id = i.object_id
                          LEFT JOIN tenant t ON t.tenant_id = i.tenant_id
                          WHERE i.processed_at IS NULL) x
                        GROUP BY why ORDER BY why""")
                .bind("now", now)
                .map((rs, ctx) -> new WaitingEvents(rs.getString("why"), rs.getLong("n"),
                        rs.getObject("oldest", OffsetDateTime.class).toInstant()))
                .list());
    }

    public long pendingCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL")
                .mapTo(Long.class).one());
    }

    /** The retry state a replay resets (a claim in progress is left to finish). */
    private static final String FRESH = "attempts = 0, not_before = NULL, last_error = NULL, dead_lettered_at = NULL";
    /** The row of a claim, while its claimer still holds it. */
    private static final String HELD = "tenant_id = :tenant_id AND object_type = :object_type AND object_id = :object_id"
            + " AND claimed_by = :claimed_by AND claim_token = :claim_token";

    private static <S extends SqlStatement<S>> S bindHeld(S statement, Claim claim) {
        return bindKey(statement, claim.key()).bind("claimed_by", claim.claimedBy()).bind("claim_token", claim.token());
    }

    private static <S extends SqlStatement<S>> S bindKey(S statement, RecordKey key) {
        return statement.bind("tenant_id", key.tenantId()).bind("object_type", key.objectType())
                .bind("object_id", key.objectId());
    }

    private static String keyList(int size) {
        List<String> tuples = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            tuples.add("(:t" + i + ", :y" + i + ", :i" + i + ")");
        }
        return String.join(", ", tuples);
    }

    private static <S extends SqlStatement<S>> S bindKeys(S statement, List<DueRecord> records) {
        for (int i = 0; i < records.size(); i++) {
            RecordKey key = records.get(i).key();
            statement.bind("t" + i, key.tenantId()).bind("y" + i, key.objectType()).bind("i" + i, key.objectId());
        }
        return statement;
    }

    private static DeadLetter deadLetter(String tenantId, String type, String id, int attempts, String reason,
                                         Instant since) {
        boolean byRecord = ObjectType.forEvent(type).filter(t -> !t.businessScoped()).isPresent();
        String fix = byRecord ? "mlc replay --tenant " + tenantId + " --record " + type + ":" + id
                : "mlc replay --dead-letters --tenant " + tenantId;
        return new DeadLetter(tenantId, type + ":" + id, attempts, reason, since, fix);
    }

    private static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
