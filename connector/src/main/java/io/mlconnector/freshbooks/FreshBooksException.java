package io.mlconnector.freshbooks;

/** A FreshBooks call failed; {@code retryable} says whether trying again later can succeed. */
public class FreshBooksException extends RuntimeException {
    private final int status;
    private final boolean retryable;

    public FreshBooksException(int status, String message, boolean retryable) {
        super(message);
        this.status = status;
        this.retryable = retryable;
    }

    /** HTTP status, or -1 when no answer came (timeout, connection refused). */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** 429, 5xx, 408 and transport errors are worth retrying; other 4xx are not. */
    public static boolean isRetryableStatus(int status) {
        return status == -1 || status == 408 || status == 429 || status >= 500;
    }
}
