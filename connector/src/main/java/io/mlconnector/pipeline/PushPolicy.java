package io.mlconnector.pipeline;

import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.PowerBiAuthException;
import io.mlconnector.powerbi.SchemaDiff;
import java.time.Duration;

/**
 * What to do after one POST rows attempt: the decision table of {@code docs/guarantees.md}, as pure functions.
 * {@link Pusher} only carries the decisions out. Nothing here reads an error's wording: schema questions are
 * settled by {@code GET tables} ({@link #afterRefusal}), route-wide conditions by status and error code.
 */
public final class PushPolicy {
    private PushPolicy() {}

    /**
     * After this many one-row POSTs of one table refused in a row, with no POST to it accepted in between, the
     * rows are not the problem: the table's columns differ from the mapping (GET tables lists names only, so this
     * is the one signal there is). Bisecting a batch around a single bad row refuses one one-row POST and accepts
     * its neighbour, so only a run of this many refused rows side by side looks like a schema problem.
     */
    static final int ROW_REFUSALS_MEANING_SCHEMA = 8;

    public sealed interface Decision {}

    /** Power BI has the rows. */
    public record MarkSent() implements Decision {}

    /**
     * Nothing was written: post the same batch again after {@code exactWait} ({@code Retry-After}, honoured
     * exactly) or, when null, after the route's jittered backoff. The whole route waits, since what failed
     * (quota, connection) is the route's.
     */
    public record RetryLater(Duration exactWait, String reason) implements Decision {}

    /** The rows may be in the table: find out before anything else of this table is posted. */
    public record ResolveUnknown(String reason) implements Decision {}

    /** Power BI refused the request: ask {@code GET tables} whether the table is still there, then {@link #afterRefusal}. */
    public record CheckTable(String reason) implements Decision {}

    /** A condition of the whole route (credentials, permissions, the dataset): post nothing, keep everything, re-probe. */
    public record PauseRoute(String reason, String fix) implements Decision {}

    /** The table differs from the mapping: post nothing to it, keep its rows, re-probe. */
    public record BlockTable(String reason, String fix) implements Decision {}

    /** Some rows of the batch are refused: post each half on its own to find them. */
    public record Split(String reason) implements Decision {}

    /** This one row is refused: set it aside with the reason, and hold its record's later rows. */
    public record QuarantineRow(String reason) implements Decision {}

    /** The decision for one POST's result. */
    public static Decision afterPost(PostRowsResult result, int rowCount) {
        if (result instanceof PostRowsResult.Accepted) {
            return new MarkSent();
        }
        if (result instanceof PostRowsResult.Throttled t) {
            return new RetryLater(t.retryAfter(), "429 Too Many Requests");
        }
        if (result instanceof PostRowsResult.NotSent n) {
            return new RetryLater(null, "not sent: " + n.reason());
        }
        if (result instanceof PostRowsResult.Unknown u) {
            return new ResolveUnknown(u.status() < 0 ? u.reason() : u.status() + ": " + u.reason());
        }
        return afterRejection((PostRowsResult.Rejected) result, rowCount);
    }

    private static Decision afterRejection(PostRowsResult.Rejected r, int rowCount) {
        String reason = r.status() + (r.code() == null ? "" : " " + r.code()) + (r.message() == null ? "" : ": " + r.message());
        if ("ServicePrincipalIsNotAllowedByTenantAdminSwitch".equals(r.code())) {
            return new PauseRoute(reason, TENANT_SWITCH_FIX);
        }
        if (r.status() == 401 || r.status() == 403) {
            return new PauseRoute(reason, WORKSPACE_ACCESS_FIX);
        }
        if (r.status() == 413) { // the body is too large for the service: halves are smaller
            return rowCount > 1 ? new Split(reason) : new QuarantineRow(reason);
        }
        return new CheckTable(reason);
    }

    /** No token could be had from Entra (unreachable, or the credentials are refused). */
    public static Decision afterTokenFailure(PowerBiAuthException e) {
        return new PauseRoute("no Power BI token from Entra ID: " + e.getMessage(), ENTRA_FIX);
    }

    /** What {@code GET tables} said about the refused batch's table. */
    public enum TableState { PRESENT, MISSING, DATASET_GONE }

    /**
     * After a refusal, once {@code GET tables} answered.
     *
     * @param rowRefusalsInARow one-row POSTs of this table refused since its last accepted POST, this one included
     */
    public static Decision afterRefusal(TableState table, String tableName, int rowCount, int rowRefusalsInARow,
                                        String reason) {
        return switch (table) {
            case DATASET_GONE -> new PauseRoute("the dataset is gone from the workspace (" + reason + ")", DATASET_GONE_FIX);
            case MISSING -> new BlockTable("table " + tableName + " is missing from the dataset", SchemaDiff.MISSING_TABLE_FIX);
            case PRESENT -> rowCount > 1 ? new Split(reason)
                    : rowRefusalsInARow >= ROW_REFUSALS_MEANING_SCHEMA
                    ? new BlockTable("Power BI refused " + rowRefusalsInARow + " rows of " + tableName
                            + " one by one in a row and accepted none, so its columns likely differ from the mapping; last: "
                            + reason, "mlc dataset check, then " + SchemaDiff.FIX_COMMAND)
                    : new QuarantineRow(reason);
        };
    }

    static final String TENANT_SWITCH_FIX = "a Power BI administrator allows service principals to use the APIs "
            + "(Admin portal > Tenant settings > Developer settings) for the connector's service principal (powerbi.client-id)";
    static final String WORKSPACE_ACCESS_FIX = "add the service principal (powerbi.client-id) to the workspace "
            + "(powerbi.workspace-id) as Member or Contributor; the route retries by itself";
    static final String ENTRA_FIX = "check powerbi.tenant-id, powerbi.client-id and powerbi.client-secret, and that "
            + "Entra ID is reachable; the route retries by itself";
    static final String DATASET_GONE_FIX = SchemaDiff.CREATE_COMMAND + "; the connector then fills the new dataset "
            + "from its ledger by itself";
}
