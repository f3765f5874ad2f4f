package io.mlconnector.pipeline;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.LedgerDiff.SignedRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Keeps Power BI's dimension tables at one row per key (DatasetModel's class comment): the engine refuses a value
 * twice on the one side of a relationship, so a renamed client must not leave its old row beside the new one. A new
 * key is appended like any row; a changed or deleted key marks its table dirty instead, and the route's owner reloads
 * the table from the ledger (clear, then the current rows; {@link TableRebuilds}) at most once per
 * {@code refreshInterval}, which bounds what reloads cost of the row quota. Until then Power BI shows the
 * previous version of the changed keys.
 */
public final class DimensionTables {
    private final Jdbi jdbi;
    private final Duration refreshInterval;

    public DimensionTables(Jdbi jdbi, Duration refreshInterval) {
        this.jdbi = jdbi;
        this.refreshInterval = refreshInterval;
    }

    /**
     * In the transaction that applies a record: whether its rows {@code delta} of dimension table {@code table} may
     * go to the outbox. Only new keys of a table not waiting for a reload may; otherwise the table is marked for one.
     */
    static boolean mayAppend(Handle h, String route, String table, List<SignedRow> delta, Instant now) {
        boolean onlyNewKeys = delta.stream().allMatch(r -> r.sign() > 0);
        if (onlyNewKeys && !isDirty(h, route, table)) {
            return true;
        }
        int marked = h.createUpdate("""
                        UPDATE dimension_table SET dirty = TRUE, changes = changes + 1, dirty_since = COALESCE(dirty_since, :now)
                        WHERE route = :route AND table_name = :table""")
                .bind("route", route).bind("table", table).bind("now", now).execute();
        if (marked == 0) {
            h.createUpdate("""
                            INSERT INTO dimension_table (route, table_name, dirty, changes, dirty_since, last_reloaded_at)
                            VALUES (:route, :table, TRUE, 1, :now, NULL)""")
                    .bind("route", route).bind("table", table).bind("now", now).execute();
        }
        return false;
    }

    private static boolean isDirty(Handle h, String route, String table) {
        return h.createQuery("SELECT dirty FROM dimension_table WHERE route = :route AND table_name = :table")
                .bind("route", route).bind("table", table).mapTo(Boolean.class).findOne().orElse(false);
    }

    /**
     * In a rebuild's snapshot transaction: the table is reloaded with the ledger's current rows. Writing the row a
     * concurrent mark writes makes one of the two transactions fail, so a change is never in neither.
     */
    static void reloaded(Handle h, String route, String table, Instant now) {
        if (!DatasetModel.isDimension(table)) {
            return;
        }
        int updated = h.createUpdate("""
                        UPDATE dimension_table SET dirty = FALSE, dirty_since = NULL, last_reloaded_at = :now
                        WHERE route = :route AND table_name = :table""")
                .bind("route", route).bind("table", table).bind("now", now).execute();
        if (updated == 0) {
            h.createUpdate("""
                            INSERT INTO dimension_table (route, table_name, dirty, changes, dirty_since, last_reloaded_at)
                            VALUES (:route, :table, FALSE, 0, NULL, :now)""")
                    .bind("route", route).bind("table", table).bind("now", now).execute();
        }
    }

    /** Dirty tables of the route whose last reload is at least the refresh interval ago. */
    public List<String> dueForReload(String route, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT table_name FROM dimension_table
                        WHERE route = :route AND dirty AND (last_reloaded_at IS NULL OR last_reloaded_at <= :cutoff)
                        ORDER BY table_name""")
                .bind("route", route).bind("cutoff", now.minus(refreshInterval)).mapTo(String.class).list());
    }
}
