package io.mlconnector.powerbi;

/** {@code defaultRetentionPolicy} of a new push dataset; set only at creation (powerbi-api.md §2.2). */
public enum RetentionPolicy {
    /** Keep rows until deleted (up to 5,000,000 per table); what signed rows need. */
    NONE("None"),
    /** Keep the latest ~200,000 rows per table: breaks signed rows (an old +1 can vanish while its −1 stays). */
    BASIC_FIFO("basicFIFO");

    private final String queryValue;

    RetentionPolicy(String queryValue) {
        this.queryValue = queryValue;
    }

    public String queryValue() {
        return queryValue;
    }
}
