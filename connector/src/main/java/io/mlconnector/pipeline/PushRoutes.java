package io.mlconnector.pipeline;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code dataset_route} table: which Power BI dataset a route's ledger is bound to, whether the route is
 * paused (and why, and the fix), and how it finds out whether a POST landed. Binding a different dataset id
 * than before means the new dataset holds none of the ledger: the caller rebuilds every table from it.
 */
public final class PushRoutes {
    private final Jdbi jdbi;

    public PushRoutes(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** How the route finds out whether a POST whose answer was lost was applied (docs/guarantees.md). */
    public enum Resolver {
        /** {@code GET …/sequenceNumbers}: the batch's number is at most the service's. */
        SEQUENCE_NUMBERS,
        /** Execute Queries: count the rows carrying the batch's id. */
        EXECUTE_QUERIES,
        /** Neither is offered: clear the table and reload it from the ledger. */
        REBUILD
    }

    public record Route(String route, String workspaceId, String datasetName, String datasetId, long epoch,
                        String pausedReason, String pausedFix, Instant pausedSince, Resolver resolver) {
        public boolean paused() {
            return pausedReason != null;
        }
    }

    public Optional<Route> find(String route) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM dataset_route WHERE route = :route")
                .bind("route", route)
                .map((rs, ctx) -> {
                    OffsetDateTime since = rs.getObject("paused_since", OffsetDateTime.class);
                    String resolver = rs.getString("resolver");
                    return new Route(rs.getString("route"), rs.getString("workspace_id"), rs.getString("dataset_name"),
                            rs.getString("dataset_id"), rs.getLong("epoch"), rs.getString("paused_reason"),
                            rs.getString("paused_fix"), since == null ? null : since.toInstant(),
                            resolver == null ? null : Resolver.valueOf(resolver));
                })
                .findOne());
    }

    /**
     * Binds the route to {@code datasetId}. Returns true when that is a change (first binding, or another
     * dataset than before): the epoch moves on, and the caller must rebuild the dataset from the ledger.
     */
    public boolean bind(String route, String workspaceId, String datasetName, String datasetId, Instant now) {
        return jdbi.inTransaction(h -> {
            ensure(h, route, workspaceId, datasetName, now);
            String bound = h.createQuery("SELECT dataset_id FROM dataset_route WHERE route = :route FOR UPDATE")
                    .bind("route", route).mapTo(String.class).one();
            if (datasetId.equals(bound)) {
                return false;
            }
            h.createUpdate("""
                            UPDATE dataset_route SET workspace_id = :ws, dataset_name = :name, dataset_id = :id,
                                   epoch = epoch + 1, updated_at = :now
                            WHERE route = :route""")
                    .bind("ws", workspaceId).bind("name", datasetName).bind("id", datasetId).bind("now", now)
                    .bind("route", route).execute();
            return true;
        });
    }

    public void pause(String route, String workspaceId, String datasetName, String reason, String fix, Instant now) {
        jdbi.useTransaction(h -> {
            ensure(h, route, workspaceId, datasetName, now);
            h.createUpdate("""
                            UPDATE dataset_route SET paused_reason = :reason, paused_fix = :fix,
                                   paused_since = COALESCE(paused_since, :now), updated_at = :now
                            WHERE route = :route""")
                    .bind("reason", Outbox.clip(reason)).bind("fix", Outbox.clip(fix)).bind("now", now)
                    .bind("route", route).execute();
        });
    }

    /** The route works again; records how it resolves unknown outcomes. */
    public void ready(String route, Resolver resolver, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE dataset_route SET paused_reason = NULL, paused_fix = NULL, paused_since = NULL,
                               resolver = :resolver, updated_at = :now
                        WHERE route = :route""")
                .bind("resolver", resolver.name()).bind("now", now).bind("route", route).execute());
    }

    private static void ensure(org.jdbi.v3.core.Handle h, String route, String workspaceId, String datasetName, Instant now) {
        boolean exists = h.createQuery("SELECT COUNT(*) FROM dataset_route WHERE route = :route")
                .bind("route", route).mapTo(Integer.class).one() > 0;
        if (!exists) {
            h.createUpdate("""
                            INSERT INTO dataset_route (route, workspace_id, dataset_name, dataset_id, updated_at)
                            VALUES (:route, :ws, :name, NULL, :now)""")
                    .bind("route", route).bind("ws", workspaceId).bind("name", datasetName).bind("now", now).execute();
        }
    }
}
