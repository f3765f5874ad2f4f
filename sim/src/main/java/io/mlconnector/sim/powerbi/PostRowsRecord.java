package io.mlconnector.sim.powerbi;

import java.time.Instant;
import java.util.List;

/**
 * One POST rows request as it arrived, whatever its answer, so a test can check e.g. that nothing was sent
 * before a Retry-After had passed, or that no batch was applied twice.
 *
 * @param receivedAt the simulator clock when the request arrived
 * @param status the answer's status; 0 when an injected ACCEPT_THEN_DROP closed the connection without one
 * @param rowCount rows in the request body (0 when it was not a rowset)
 * @param retryAfterSeconds the Retry-After given with a 429, else null
 * @param applied whether its rows were written (false for every refusal and for a stale sequence number)
 * @param sequenceNumber its {@code X-PowerBI-PushData-SequenceNumber} header as a number, else null (also when it
 *     was not a number)
 * @param batchIds the distinct {@code batch_id} string values of its rows in first-seen order (the connector's
 *     model carries one per row); empty when none or the body was not a rowset
 * @param fault the injected fault kind that hit it ({@code FaultInjector.Kind} name), else null
 */
public record PostRowsRecord(Instant receivedAt, String requestId, String appId, String groupId, String datasetId,
                             String table, int status, int rowCount, Integer retryAfterSeconds, boolean applied,
                             Long sequenceNumber, List<String> batchIds, String fault) {

    public PostRowsRecord {
        batchIds = List.copyOf(batchIds);
    }
}
