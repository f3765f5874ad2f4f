package io.mlconnector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlconnector.pipeline.RowSink;
import io.mlconnector.powerbi.DatasetInfo;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.TableInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The pusher's row sink with each POST counted by its outcome and HTTP status ({@code powerbi_post_requests_total})
 * and each {@code Retry-After} added up ({@code powerbi_retry_after_wait_seconds_total}: the pusher honours it
 * exactly, for the whole dataset, so the sum is the time the route waited on it). Per instance: only the route's
 * owner posts.
 */
public final class MeteredRowSink implements RowSink {
    private final RowSink delegate;
    private final MeterRegistry meters;
    private final Counter retryAfterSeconds;

    public MeteredRowSink(RowSink delegate, MeterRegistry meters) {
        this.delegate = delegate;
        this.meters = meters;
        this.retryAfterSeconds = Counter.builder("powerbi_retry_after_wait_seconds").baseUnit("seconds")
                .description("Seconds the push stream waited because Power BI answered 429 with Retry-After")
                .register(meters);
        for (String outcome : List.of("accepted", "throttled", "rejected", "unknown", "not_sent")) {
            post(outcome, outcome.equals("accepted") ? "200" : outcome.equals("throttled") ? "429" : "none");
        }
    }

    @Override
    public PostRowsResult postRows(String workspaceId, String datasetId, String table, String body, int rowCount,
                                   Long sequenceNumber) {
        PostRowsResult result = delegate.postRows(workspaceId, datasetId, table, body, rowCount, sequenceNumber);
        if (result instanceof PostRowsResult.Accepted) {
            post("accepted", "200").increment();
        } else if (result instanceof PostRowsResult.Throttled t) {
            post("throttled", "429").increment();
            t.retryAfterHint().ifPresent(wait -> retryAfterSeconds.increment(wait.toMillis() / 1000.0));
        } else if (result instanceof PostRowsResult.Rejected r) {
            post("rejected", String.valueOf(r.status())).increment();
        } else if (result instanceof PostRowsResult.Unknown u) {
            post("unknown", u.status() < 0 ? "none" : String.valueOf(u.status())).increment();
        } else {
            post("not_sent", "none").increment();
        }
        return result;
    }

    private Counter post(String outcome, String status) {
        return Counter.builder("powerbi_post_requests")
                .description("POST rows requests to Power BI by outcome and HTTP status (none: no response)")
                .tag("outcome", outcome).tag("status", status).register(meters);
    }

    @Override
    public Duration requestTimeout() {
        return delegate.requestTimeout();
    }

    @Override
    public List<DatasetInfo> findDatasetsByName(String workspaceId, String name) {
        return delegate.findDatasetsByName(workspaceId, name);
    }

    @Override
    public List<TableInfo> getTables(String workspaceId, String datasetId) {
        return delegate.getTables(workspaceId, datasetId);
    }

    @Override
    public void deleteRows(String workspaceId, String datasetId, String table) {
        delegate.deleteRows(workspaceId, datasetId, table);
    }

    @Override
    public Optional<Long> lastSequenceNumber(String workspaceId, String datasetId, String table, String clientId) {
        return delegate.lastSequenceNumber(workspaceId, datasetId, table, clientId);
    }

    @Override
    public long countRowsOfBatch(String workspaceId, String datasetId, String table, String batchId) {
        return delegate.countRowsOfBatch(workspaceId, datasetId, table, batchId);
    }
}
