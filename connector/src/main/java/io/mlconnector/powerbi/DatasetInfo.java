package io.mlconnector.powerbi;

import java.time.Instant;

/** A dataset as {@code GET /groups/{id}/datasets} lists it (the fields we use); createdDate may be null. */
public record DatasetInfo(String id, String name, Instant createdDate, boolean addRowsApiEnabled) {
}
