package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.freshbooks.WebhookAudit.State;
import io.mlconnector.store.Callback;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every way the two sides of a tenant's webhooks can differ, and how it is named. */
class WebhookAuditTest {
    private static final String ROOT = "https://mlc.example/hooks/freshbooks/";
    private static final List<String> EVENTS = List.of("invoice", "payment", "expense", "client");

    private static Callback ours(String token, Long id, String event, boolean verifier, boolean verified) {
        return new Callback(token, "t1", id, event, verifier, verified, Instant.EPOCH, null);
    }

    private static CallbackRegistrar.Callback theirs(long id, String event, String token, boolean verified) {
        return new CallbackRegistrar.Callback(id, event, URI.create(ROOT + token), verified);
    }

    @Test
    void eachDifferenceHasItsState() {
        List<WebhookAudit.Pair> pairs = WebhookAudit.compare(EVENTS,
                List.of(ours("a", 1L, "invoice", true, true),     // fine
                        ours("b", 2L, "payment", false, false),   // callback.verify lost
                        ours("c", 3L, "expense", true, true),     // deleted at FreshBooks
                        ours("d", null, "client", false, false)), // crashed before the id was stored
                List.of(theirs(1, "invoice", "a", true), theirs(2, "payment", "b", false), theirs(4, "client", "d", false),
                        theirs(9, "payment", "lost-token", true),
                        new CallbackRegistrar.Callback(10, "invoice", URI.create("https://elsewhere.example/x"), true)),
                token -> URI.create(ROOT + token), ROOT);

        assertThat(pairs).extracting(WebhookAudit.Pair::event, WebhookAudit.Pair::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("invoice", State.OK),
                org.assertj.core.groups.Tuple.tuple("payment", State.UNVERIFIED),
                org.assertj.core.groups.Tuple.tuple("payment", State.UNKNOWN_TO_US),
                org.assertj.core.groups.Tuple.tuple("expense", State.MISSING_AT_FRESHBOOKS),
                org.assertj.core.groups.Tuple.tuple("client", State.UNVERIFIED));
        assertThat(pairs.get(4).theirs().callbackId()).as("adopted by its URL").isEqualTo(4);
        assertThat(WebhookAudit.entry(pairs.get(0)).fix()).isNull();
        assertThat(WebhookAudit.entry(pairs.get(3)).fix()).contains("mlc webhooks repair");
    }

    @Test
    void anEventWithNothingOnEitherSideIsNotRegistered() {
        List<WebhookAudit.Pair> pairs = WebhookAudit.compare(List.of("invoice", "bill"),
                List.of(ours("a", 1L, "invoice", true, true)), List.of(theirs(1, "invoice", "a", true)),
                token -> URI.create(ROOT + token), ROOT);

        assertThat(pairs).extracting(WebhookAudit.Pair::state).containsExactly(State.OK, State.NOT_REGISTERED);
        WebhookAudit.Entry bill = WebhookAudit.entry(pairs.get(1));
        assertThat(bill.heldHere()).isFalse();
        assertThat(bill.verifiedAtFreshBooks()).isNull();
        assertThat(bill.callbackId()).isNull();
    }
}
