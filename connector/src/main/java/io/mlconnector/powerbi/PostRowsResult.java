package io.mlconnector.powerbi;

import java.time.Duration;
import java.util.Optional;

/**
 * What happened to one POST rows request, in the terms the pusher acts on. {@code requestId} is the
 * service's {@code RequestId} header (null when there was no response), for support tickets.
 */
public sealed interface PostRowsResult {

    String requestId();

    /** 200: the rows are in the table. Mark the batch sent. */
    record Accepted(String requestId) implements PostRowsResult {
    }

    /**
     * 429: wait and send the same batch again.
     *
     * @param retryAfter the {@code Retry-After} the service gave, or null when it gave none (use backoff)
     */
    record Throttled(Duration retryAfter, String requestId) implements PostRowsResult {
        public Optional<Duration> retryAfterHint() {
            return Optional.ofNullable(retryAfter);
        }
    }

    /** 400-class other than 408/429: the same request will fail again; quarantine with this reason. */
    record Rejected(int status, String code, String message, String requestId) implements PostRowsResult {
    }

    /** 5xx, 408, timeout or I/O error ({@code status} −1 when there was no response): retry with backoff. */
    record Failed(int status, String reason, String requestId) implements PostRowsResult {
    }
}
