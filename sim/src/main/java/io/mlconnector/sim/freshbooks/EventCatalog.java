package io.mlconnector.sim.freshbooks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The registrable events of reference §3.2 and the read scope each needs (the mapping is our inference). */
public final class EventCatalog {

    private static final Map<String, String> SCOPE_BY_NOUN = new LinkedHashMap<>();

    static {
        SCOPE_BY_NOUN.put("bill", "user:bills:read");
        SCOPE_BY_NOUN.put("bill_vendor", "user:bill_vendors:read");
        SCOPE_BY_NOUN.put("category", "user:expenses:read");
        SCOPE_BY_NOUN.put("client", "user:clients:read");
        SCOPE_BY_NOUN.put("credit_note", "user:credit_notes:read");
        SCOPE_BY_NOUN.put("estimate", "user:estimates:read");
        SCOPE_BY_NOUN.put("expense", "user:expenses:read");
        SCOPE_BY_NOUN.put("invoice", "user:invoices:read");
        SCOPE_BY_NOUN.put("item", "user:billable_items:read");
        SCOPE_BY_NOUN.put("payment", "user:payments:read");
        SCOPE_BY_NOUN.put("project", "user:projects:read");
        SCOPE_BY_NOUN.put("recurring", "user:invoices:read");
        SCOPE_BY_NOUN.put("service", "user:billable_items:read");
        SCOPE_BY_NOUN.put("tax", "user:taxes:read");
        SCOPE_BY_NOUN.put("time_entry", "user:time_entries:read");
    }

    private EventCatalog() {}

    public static boolean isKnown(String event) {
        return scopeFor(event).isPresent();
    }

    /** The scope a registration for this event needs; empty for an unknown event. */
    public static Optional<String> scopeFor(String event) {
        if (event == null) {
            return Optional.empty();
        }
        int dot = event.indexOf('.');
        String noun = dot < 0 ? event : event.substring(0, dot);
        String scope = SCOPE_BY_NOUN.get(noun);
        if (scope == null) {
            return Optional.empty();
        }
        if (dot < 0) {
            return Optional.of(scope);
        }
        String verb = event.substring(dot + 1);
        boolean ok = verb.equals("create") || verb.equals("update") || verb.equals("delete")
                || (verb.equals("sendByEmail") && (noun.equals("invoice") || noun.equals("estimate")));
        return ok ? Optional.of(scope) : Optional.empty();
    }

    /** Whether a callback registered for {@code registered} receives {@code delivered} (a bare noun covers its sub-events). */
    public static boolean covers(String registered, String delivered) {
        return registered.equals(delivered) || delivered.startsWith(registered + ".");
    }

    /** {@code invoice} for {@code invoice.create}, null for a bare noun. */
    public static String parentOf(String event) {
        int dot = event.indexOf('.');
        return dot < 0 ? null : event.substring(0, dot);
    }
}
