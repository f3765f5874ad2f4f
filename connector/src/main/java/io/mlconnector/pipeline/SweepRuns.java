package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.ObjectType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** The last completed sweep of each tenant ({@code sweep_run}): when it ran, what it read, which types failed. */
public final class SweepRuns {

    /** One tenant's last completed sweep; {@code failedTypes} are {@link ObjectType#eventPrefix()} names. */
    public record LastRun(String tenantId, Instant startedAt, Instant finishedAt, long recordsRead,
                          List<String> failedTypes) {}

    private final Jdbi jdbi;

    public SweepRuns(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Replaces the tenant's record with this run. Not forced to disk: a record lost in a crash is only
     * status information, and the next sweep writes it again.
     */
    public void record(SweepScheduler.Run run, Instant finishedAt) {
        Map<String, Object> values = Map.of(
                "tenant", run.tenantId(),
                "started", utc(run.startedAt()),
                "finished", utc(finishedAt),
                "records", run.records(),
                "failed", run.failed().stream().map(ObjectType::eventPrefix).collect(Collectors.joining(",")));
        jdbi.useTransaction(h -> {
            // update, else insert: portable SQL; one sweep per tenant runs at a time, so the insert does not race
            int updated = h.createUpdate("UPDATE sweep_run SET started_at = :started, finished_at = :finished,"
                    + " records_read = :records, failed_types = :failed WHERE tenant_id = :tenant").bindMap(values).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO sweep_run (tenant_id, started_at, finished_at, records_read, failed_types)"
                        + " VALUES (:tenant, :started, :finished, :records, :failed)").bindMap(values).execute();
            }
        });
    }

    /** Every tenant's last completed sweep, by tenant id. */
    public List<LastRun> lastRuns() {
        return jdbi.withHandle(h -> h.createQuery("SELECT tenant_id, started_at, finished_at, records_read, failed_types"
                        + " FROM sweep_run ORDER BY tenant_id")
                .map((rs, ctx) -> new LastRun(rs.getString("tenant_id"),
                        rs.getObject("started_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("finished_at", OffsetDateTime.class).toInstant(),
                        rs.getLong("records_read"),
                        rs.getString("failed_types").isEmpty() ? List.of()
                                : Arrays.asList(rs.getString("failed_types").split(","))))
                .list());
    }

    private static OffsetDateTime utc(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}
