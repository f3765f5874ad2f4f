package io.mlconnector.pipeline;

import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.mapping.RecordMapper;
import io.mlconnector.mapping.Row;
import io.mlconnector.pipeline.LedgerDiff.LedgerRow;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Maps one read of a FreshBooks record and applies it to the ledger in one transaction, together with
 * whatever the caller must commit with it (marking the inbox events it answers). Used alike by webhook
 * processing, backfill and sweeps, so every path produces the same rows.
 */
public final class RecordApplier {
    private final Jdbi jdbi;
    private final MapperRegistry mappers;
    private final SignedRowLedger ledger;
    private final JsonMapper json;
    private final Clock clock;

    public RecordApplier(Jdbi jdbi, MapperRegistry mappers, SignedRowLedger ledger, JsonMapper json, Clock clock) {
        this.jdbi = jdbi;
        this.mappers = mappers;
        this.ledger = ledger;
        this.json = json;
        this.clock = clock;
    }

    /** Work the caller commits in the same transaction as the rows. */
    @FunctionalInterface
    public interface InTransaction {
        void run(Handle handle, Instant now);

        InTransaction NOTHING = (h, now) -> {};
    }

    /**
     * Applies one read of the record for {@code key} ({@link FetchedRecord#record()} empty: FreshBooks no
     * longer has it), sending its rows to {@code route}. Returns what the ledger did.
     */
    public SignedRowLedger.Applied apply(RecordKey key, String route, FetchedRecord read, String cause,
                                         InTransaction alsoInTransaction) {
        return apply(key, route, read, cause, null, alsoInTransaction);
    }

    /**
     * As {@link #apply(RecordKey, String, FetchedRecord, String, InTransaction)} for a read caused by webhook events,
     * the earliest received at {@code receivedAt}: its rows carry it, for the status page's freshness.
     */
    public SignedRowLedger.Applied apply(RecordKey key, String route, FetchedRecord read, String cause,
                                         Instant receivedAt, InTransaction alsoInTransaction) {
        RecordMapper mapper = mappers.forType(key.objectType()).orElseThrow(
                () -> new IllegalArgumentException("no mapping for FreshBooks " + key.objectType()));
        Instant now = clock.instant();
        List<LedgerRow> rows = new ArrayList<>();
        Optional<JsonNode> record = read.record();
        if (record.isPresent()) {
            for (Row row : mapper.map(key.tenantId(), record.get())) {
                rows.add(new LedgerRow(row.table(), row.rowKey(), canonical(row)));
            }
        }
        boolean deleted = record.isEmpty() || record.get().path("vis_state").asInt(0) == 1;
        // A 404 carries no version: our clock is no FreshBooks time, and a restored record must not look stale.
        ReadStamp stamp = ReadStamp.of(key.objectType(), record, read.fetchStamp());
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbi.inTransaction(h -> {
                    SignedRowLedger.Applied applied = ledger.apply(h, key, stamp, deleted, rows, route, cause, receivedAt, now);
                    alsoInTransaction.run(h, now);
                    return applied;
                });
            } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
                // Two first reads of one record (a webhook's and a backfill's) both found no ledger entry to lock and
                // both inserted one: the loser rolled back whole, and applies again against the winner's entry.
                if (attempt >= 3 || !(e.getCause() instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState()))) {
                    throw e;
                }
            }
        }
    }

    /** Row values as the JSON Power BI receives, read back through the same mapper the ledger uses. */
    private ObjectNode canonical(Row row) {
        return (ObjectNode) json.readTree(json.writeValueAsString(row.jsonValues()));
    }
}
