package io.mlconnector.pipeline;

import io.mlconnector.mapping.FreshBooksValues;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A FreshBooks record's own "last changed" time, used to recognise a stale read (reference §7: which
 * resources write Eastern wall time, which UTC, which ISO). Null when the record carries none.
 */
final class SourceVersion {
    private SourceVersion() {}

    static Instant of(String objectType, JsonNode record) {
        return switch (objectType) {
            case "bill", "bill_vendor" -> parse(record.path("updated_at"), Zone.UTC_WALL);
            case "ledger_account" -> parse(record.path("updated_at"), Zone.ISO);
            case "category" -> parse(record.path("updated_at"), Zone.EASTERN);
            default -> parse(record.path("updated"), Zone.EASTERN);
        };
    }

    private enum Zone { EASTERN, UTC_WALL, ISO }

    private static Instant parse(JsonNode value, Zone zone) {
        if (!value.isString() || value.asString().isBlank()) {
            return null;
        }
        return switch (zone) {
            case EASTERN -> FreshBooksValues.easternWallTime(value);
            case UTC_WALL -> FreshBooksValues.utcWallTime(value);
            case ISO -> FreshBooksValues.isoInstant(value);
        };
    }
}
