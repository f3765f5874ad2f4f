package io.mlconnector.freshbooks;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which delivered webhook events the connector can process (reference §3.2, §3.4): a concrete event of a type it
 * reads, case exact, that the receiving callback was registered for, naming a record by its numeric id. Anything
 * else would only be retried until dead-lettered, so the intake refuses it up front.
 */
public final class WebhookEvents {

    /** The sub-events FreshBooks lists for every resource; {@code sendByEmail} only for invoices (and estimates). */
    private static final Set<String> ACTIONS = Set.of("create", "update", "delete");
    private static final String INVOICE_ONLY_ACTION = "sendByEmail";

    /** FreshBooks ids of the webhook types are positive integers (reference §3.4, §4); no sign, no leading zero. */
    private static final Pattern OBJECT_ID = Pattern.compile("[1-9][0-9]{0,17}");

    /** Why a delivery is refused; {@link #reason()} is the metric tag and the response body. */
    public enum Refusal {
        UNKNOWN_EVENT("unknown_event"),
        WRONG_EVENT_FAMILY("wrong_event_family"),
        BAD_OBJECT_ID("bad_object_id");

        private final String reason;

        Refusal(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private WebhookEvents() {}

    /**
     * @param registeredEvent the event the callback was registered for: a parent noun ({@code invoice}, covering
     *                        its sub-events) or one concrete event ({@code invoice.create})
     * @param name            the delivered {@code name} field
     * @param objectId        the delivered {@code object_id} field
     * @return empty when the connector can process the delivery
     */
    public static Optional<Refusal> check(String registeredEvent, String name, String objectId) {
        if (!isProcessable(name)) {
            return Optional.of(Refusal.UNKNOWN_EVENT);
        }
        if (!covers(registeredEvent, name)) {
            return Optional.of(Refusal.WRONG_EVENT_FAMILY);
        }
        if (!isObjectId(objectId)) {
            return Optional.of(Refusal.BAD_OBJECT_ID);
        }
        return Optional.empty();
    }

    /** A concrete event ({@code noun.action}) of a type the connector fetches by id; bare nouns are never delivered. */
    static boolean isProcessable(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return false;
        }
        String noun = name.substring(0, dot);
        String action = name.substring(dot + 1);
        Optional<ObjectType> type = ObjectType.forEvent(noun).filter(t -> !t.businessScoped());
        if (type.isEmpty()) {
            return false;
        }
        return ACTIONS.contains(action) || (type.get() == ObjectType.INVOICE && action.equals(INVOICE_ONLY_ACTION));
    }

    /** A callback for a parent noun receives its sub-events; one for a concrete event receives only that one. */
    static boolean covers(String registeredEvent, String name) {
        return registeredEvent != null && (name.equals(registeredEvent) || name.startsWith(registeredEvent + "."));
    }

    /** Whether {@code objectId} is a FreshBooks id: digits only, as the callback.verify's callback id is too. */
    public static boolean isObjectId(String objectId) {
        return objectId != null && OBJECT_ID.matcher(objectId).matches();
    }
}
