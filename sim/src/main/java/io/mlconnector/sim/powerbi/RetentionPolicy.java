package io.mlconnector.sim.powerbi;

import java.util.Optional;

/** {@code defaultRetentionPolicy} of a push dataset, set only at creation (reference powerbi-api.md §2.2). */
public enum RetentionPolicy {
    /** Rows accumulate up to the 5,000,000-row cap per table. */
    NONE("None"),
    /** The latest rows are kept (200,000 per table), oldest trimmed. */
    BASIC_FIFO("basicFIFO");

    private final String apiName;

    RetentionPolicy(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** Absent means None; the value must be spelled as the API does (case as written). */
    static Optional<RetentionPolicy> parse(String text) {
        if (text == null) {
            return Optional.of(NONE);
        }
        for (RetentionPolicy policy : values()) {
            if (policy.apiName.equals(text)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
