package io.mlconnector.sim.powerbi;

import java.time.Instant;

/**
 * One POST rows request as it arrived, whatever its answer, so a test can check e.g. that nothing was sent
 * before a Retry-After had passed.
 *
 * @param receivedAt the simulator clock when the request arrived
 * @param rowCount rows in the request body (0 when it was not a rowset)
 * @param retryAfterSeconds the Retry-After given with a 429, else null
 */
public record PostRowsRecord(Instant receivedAt, String requestId, String appId, String groupId, String datasetId,
                             String table, int status, int rowCount, Integer retryAfterSeconds) {}
