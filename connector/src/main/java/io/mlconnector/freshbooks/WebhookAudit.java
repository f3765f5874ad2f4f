package io.mlconnector.freshbooks;

import io.mlconnector.store.Callback;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What FreshBooks has against what we hold, per event type of one tenant: a pure function of the two lists, so every
 * case has a test. A crash between registering and storing the callback id leaves ours without an id (and FreshBooks
 * with a callback we cannot name by id, only by its URL); a lost callback.verify leaves both unverified; a callback
 * deleted at FreshBooks leaves ours alone. Each case has its repair in {@link WebhookSubscriptions#repair}.
 */
public final class WebhookAudit {

    public enum State {
        /** Registered and verified on both sides: deliveries flow. */
        OK,
        /** Registered, but the verify handshake did not finish: FreshBooks delivers nothing yet. */
        UNVERIFIED,
        /** We hold a callback FreshBooks no longer has (deleted there): nothing is delivered. */
        MISSING_AT_FRESHBOOKS,
        /** No callback for this event type (never registered, or its id was never stored). */
        NOT_REGISTERED,
        /** FreshBooks delivers to one of our webhook URLs that we do not know: its deliveries are refused. */
        UNKNOWN_TO_US
    }

    /** One event type's two sides; {@code ours} or {@code theirs} is null when that side has nothing. */
    record Pair(String event, Callback ours, CallbackRegistrar.Callback theirs, State state) {}

    /**
     * A line of {@code mlc webhooks list}: no URL token (the URL is a credential of sorts), FreshBooks' callback id.
     *
     * @param verifiedAtFreshBooks null when FreshBooks has no such callback
     */
    public record Entry(String event, State state, Long callbackId, boolean heldHere, boolean verifiedHere,
                        Boolean verifiedAtFreshBooks, String fix) {}

    /** One tenant's entries, or why they could not be had (e.g. the business needs re-authorization). */
    public record TenantWebhooks(String tenantId, String businessName, List<Entry> entries, String error) {
        public TenantWebhooks {
            entries = List.copyOf(entries);
        }
    }

    private WebhookAudit() {}

    /**
     * @param events    the event types we subscribe to
     * @param urlOf     our webhook URL for a URI token
     * @param hookRoot  the prefix of our webhook URLs: a FreshBooks callback under it that we do not hold is ours, lost
     */
    static List<Pair> compare(List<String> events, List<Callback> ours, List<CallbackRegistrar.Callback> theirs,
                              Function<String, URI> urlOf, String hookRoot) {
        List<Pair> pairs = new ArrayList<>();
        Set<CallbackRegistrar.Callback> matched = new HashSet<>();
        Set<String> covered = new HashSet<>();
        for (Callback callback : ours) {
            URI url = urlOf.apply(callback.uriToken());
            CallbackRegistrar.Callback at = theirs.stream().filter(t -> !matched.contains(t)
                            && (callback.callbackId() != null ? callback.callbackId() == t.callbackId() : url.equals(t.uri())))
                    .findFirst().orElse(null);
            State state;
            if (at == null) {
                state = callback.callbackId() == null ? State.NOT_REGISTERED : State.MISSING_AT_FRESHBOOKS;
            } else {
                matched.add(at);
                state = callback.verified() && at.verified() && callback.callbackId() != null ? State.OK : State.UNVERIFIED;
            }
            pairs.add(new Pair(callback.event(), callback, at, state));
            covered.add(callback.event());
        }
        for (CallbackRegistrar.Callback at : theirs) {
            if (!matched.contains(at) && at.uri() != null && at.uri().toString().startsWith(hookRoot)) {
                pairs.add(new Pair(at.event(), null, at, State.UNKNOWN_TO_US));
            }
        }
        for (String event : events) {
            if (!covered.contains(event)) {
                pairs.add(new Pair(event, null, null, State.NOT_REGISTERED));
            }
        }
        pairs.sort((a, b) -> {
            int byEvent = Integer.compare(order(events, a.event()), order(events, b.event()));
            return byEvent != 0 ? byEvent : Objects.compare(a.state(), b.state(), Enum::compareTo);
        });
        return pairs;
    }

    static Entry entry(Pair pair) {
        Long id = pair.theirs() != null ? Long.valueOf(pair.theirs().callbackId())
                : pair.ours() != null ? pair.ours().callbackId() : null;
        return new Entry(pair.event(), pair.state(), id, pair.ours() != null, pair.ours() != null && pair.ours().verified(),
                pair.theirs() == null ? null : pair.theirs().verified(), fix(pair.state()));
    }

    static String fix(State state) {
        return switch (state) {
            case OK -> null;
            case UNVERIFIED -> "mlc webhooks repair (asks FreshBooks to send callback.verify again, or confirms the"
                    + " verifier that came)";
            case MISSING_AT_FRESHBOOKS, NOT_REGISTERED -> "mlc webhooks repair (registers it with FreshBooks)";
            case UNKNOWN_TO_US -> "mlc webhooks repair (deletes it at FreshBooks)";
        };
    }

    private static int order(List<String> events, String event) {
        int i = events.indexOf(event);
        return i < 0 ? events.size() : i;
    }
}
