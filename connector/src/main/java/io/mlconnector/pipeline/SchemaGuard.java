package io.mlconnector.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Remembers which tables of a route must not receive rows because the dataset does not match the
 * mapping (DESIGN §5): the rows wait in the outbox, the status page shows the difference and the
 * command that fixes it. A blocked table is probed again every {@code recheckEvery} with its oldest
 * batch, so once the dataset is fixed the kept rows flow without a restart.
 */
public final class SchemaGuard {
    private final Jdbi jdbi;
    private final String route;
    private final Clock clock;
    private final Duration recheckEvery;
    private final Map<String, Instant> nextProbe = new ConcurrentHashMap<>();

    public SchemaGuard(Jdbi jdbi, String route, Clock clock, Duration recheckEvery) {
        this.jdbi = jdbi;
        this.route = route;
        this.clock = clock;
        this.recheckEvery = recheckEvery;
        reload();
    }

    /**
     * Takes the blocked tables from the store (at start, and when this instance takes over a route whose previous
     * owner may have blocked or cleared tables), each to be probed at once.
     */
    public void reload() {
        nextProbe.clear();
        for (Verdict blocked : verdicts()) {
            if (blocked.blocked()) {
                nextProbe.put(blocked.table(), clock.instant());
            }
        }
    }

    public record Verdict(String table, boolean blocked, String reason, String fix, Instant checkedAt) {}

    /** Whether a POST to {@code table} may go out now: not blocked, or blocked and due for a probe. */
    public boolean mayPost(String table) {
        Instant probeAt = nextProbe.get(table);
        return probeAt == null || !clock.instant().isBefore(probeAt);
    }

    public boolean isBlocked(String table) {
        return nextProbe.containsKey(table);
    }

    public void block(String table, String reason, String fix) {
        Instant now = clock.instant();
        nextProbe.put(table, now.plus(recheckEvery));
        save(table, "blocked", Outbox.clip(reason), Outbox.clip(fix), now);
    }

    /** The table accepted rows (or was fixed): unblock it. */
    public void clear(String table) {
        if (nextProbe.remove(table) != null) {
            save(table, "ok", null, null, clock.instant());
        }
    }

    public List<Verdict> verdicts() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT table_name, state, reason, fix, checked_at FROM table_guard WHERE route = :route ORDER BY table_name")
                .bind("route", route)
                .map((rs, ctx) -> new Verdict(rs.getString("table_name"), "blocked".equals(rs.getString("state")),
                        rs.getString("reason"), rs.getString("fix"),
                        rs.getObject("checked_at", java.time.OffsetDateTime.class).toInstant()))
                .list());
    }

    private void save(String table, String state, String reason, String fix, Instant now) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE table_guard SET state = :state, reason = :reason, fix = :fix, checked_at = :now
                            WHERE route = :route AND table_name = :table""")
                    .bind("state", state).bind("reason", reason).bind("fix", fix).bind("now", now)
                    .bind("route", route).bind("table", table).execute();
            if (updated == 0) {
                h.createUpdate("""
                                INSERT INTO table_guard (route, table_name, state, reason, fix, checked_at)
                                VALUES (:route, :table, :state, :reason, :fix, :now)""")
                        .bind("state", state).bind("reason", reason).bind("fix", fix).bind("now", now)
                        .bind("route", route).bind("table", table).execute();
            }
        });
    }
}
