package io.mlconnector.powerbi;

import java.util.Objects;

/**
 * The connector has no dataset to push to and cannot make one itself: the adopted {@code powerbi.dataset-id} is not in
 * the workspace, or Power BI refused to create one. Carries what is wrong and what the user does about it, so a paused
 * route and the command line say the same thing.
 */
public final class NoDatasetException extends RuntimeException {
    private final String reason;
    private final String fix;

    public NoDatasetException(String reason, String fix, Throwable cause) {
        super(reason + " " + fix, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    public String reason() {
        return reason;
    }

    public String fix() {
        return fix;
    }
}
