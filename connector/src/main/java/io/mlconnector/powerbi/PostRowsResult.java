package io.mlconnector.powerbi;

import java.time.Duration;
import java.util.Optional;

/**
 * What happened to one POST rows request, as far as the client can know. The pusher's decision table
 * ({@code io.mlconnector.pipeline.PushPolicy}) turns each into an action. {@code requestId} is the service's
 * {@code RequestId} header (null when there was no response), for support tickets.
 */
public sealed interface PostRowsResult {

    String requestId();

    /** 2xx: the rows are in the table. */
    record Accepted(String requestId) implements PostRowsResult {
    }

    /**
     * 429: nothing was written; wait and send the same batch again.
     *
     * @param retryAfter the {@code Retry-After} the service gave, or null when it gave none (use backoff)
     */
    record Throttled(Duration retryAfter, String requestId) implements PostRowsResult {
        public Optional<Duration> retryAfterHint() {
            return Optional.ofNullable(retryAfter);
        }
    }

    /** 4xx other than 408/429: the service refused the request, nothing was written. */
    record Rejected(int status, String code, String message, String requestId) implements PostRowsResult {
    }

    /** The request never reached the service (connection refused, connect timeout): nothing was written. */
    record NotSent(String reason) implements PostRowsResult {
        @Override
        public String requestId() {
            return null;
        }
    }

    /**
     * The rows may or may not be in the table: a timeout or an I/O error after the request was sent, a 5xx
     * (a gateway's answer says nothing about the service behind it), a 408. Never post such a batch again
     * without finding out ({@code status} −1 when there was no response).
     */
    record Unknown(int status, String reason, String requestId) implements PostRowsResult {
    }
}
