package io.mlconnector.pipeline;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One read of a FreshBooks record: the record (empty when FreshBooks answered 404) and the fetch stamp
 * taken just before its GET ({@link FetchStamps}).
 */
public record FetchedRecord(Optional<JsonNode> record, long fetchStamp) {

    public static FetchedRecord found(JsonNode record, long fetchStamp) {
        return new FetchedRecord(Optional.of(record), fetchStamp);
    }

    public static FetchedRecord gone(long fetchStamp) {
        return new FetchedRecord(Optional.empty(), fetchStamp);
    }
}
