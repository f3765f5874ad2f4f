package io.mlconnector.mapping;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Small helpers shared by the mappers. */
final class MapperSupport {

    static final long VIS_STATE_DELETED = 1;
    static final long VIS_STATE_ARCHIVED = 2;

    private MapperSupport() {
    }

    static boolean isDeleted(JsonNode record) {
        Long visState = FreshBooksValues.integer(record.get("vis_state"));
        return visState != null && visState == VIS_STATE_DELETED;
    }

    static Boolean isArchived(JsonNode record) {
        Long visState = FreshBooksValues.integer(record.get("vis_state"));
        return visState != null && visState == VIS_STATE_ARCHIVED;
    }

    /** Composite relationship key {@code tenant|id}; see {@link DatasetModel} for why. Null id → null. */
    static String key(String tenant, Object id) {
        return id == null ? null : tenant + "|" + id;
    }

    /** The first present field among {@code names} as a required id. */
    static long requireId(JsonNode record, String what, String... names) {
        for (String name : names) {
            Long id = FreshBooksValues.integer(record.get(name));
            if (id != null) {
                return id;
            }
        }
        throw new IllegalArgumentException(what + " record has no " + String.join("/", names));
    }

    static String requireText(JsonNode record, String what, String name) {
        String text = FreshBooksValues.text(record.get(name));
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " record has no " + name);
        }
        return text;
    }

    static String codeName(Map<Long, String> names, Long code) {
        return code == null ? null : names.get(code);
    }

    static void requireTenant(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant (FreshBooks account_id) is required");
        }
    }

    /** Iterable over an array node, empty when the field is missing or null. */
    static Iterable<JsonNode> elements(JsonNode array) {
        if (array == null || !array.isArray()) {
            return java.util.List.of();
        }
        return array.values();
    }
}
