package io.mlconnector.powerbi;

/** A Power BI REST call other than POST rows failed. {@code status} is −1 when no response came. */
public final class PowerBiApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String requestId;

    public PowerBiApiException(String operation, int status, String code, String message, String requestId, Throwable cause) {
        super(operation + " failed: " + (status < 0 ? "no response" : "HTTP " + status)
                + (code != null ? " " + code : "") + (message != null ? ": " + message : "")
                + (requestId != null ? " (RequestId " + requestId + ")" : ""), cause);
        this.status = status;
        this.code = code;
        this.requestId = requestId;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }

    /** 5xx, 408, 429 and no response are worth retrying; other 4xx are not. */
    public boolean retryable() {
        return status < 0 || status == 408 || status == 429 || status >= 500;
    }
}
