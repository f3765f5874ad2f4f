package io.mlconnector.alerts;

import io.mlconnector.powerbi.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.alerts.AlertRules.Condition;
import io.mlconnector.alerts.AlertRules.Episode;
import io.mlconnector.alerts.AlertRules.Kind;
import io.mlconnector.alerts.AlertRules.Notification;
import io.mlconnector.alerts.AlertRules.Outcome;
import io.mlconnector.alerts.AlertRules.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link AlertRules} with known answers: once per episode, resolved once, holds, undetermined conditions. */
class AlertRulesTest {
    private static final Instant START = Instant.parse("2026-12-02T06:00:00Z");
    private static final Condition BLOCKED = new Condition(Kind.TABLE_BLOCKED, "payments",
            "Power BI table payments is blocked: column payment_type missing", "mlc dataset sync");
    private static final Condition DIFFERS = new Condition(Kind.CONTROL_TOTALS, "invoices/acme",
            "Control totals of invoices for Acme differ", "mlc dataset compact invoices");

    private final MutableClock clock = new MutableClock(START);
    private final AlertRules rules = new AlertRules(Map.of(Kind.CONTROL_TOTALS, Duration.ofMinutes(30)));
    private Map<String, Episode> episodes = Map.of();

    private List<Notification> evaluate(List<Condition> observed) {
        return evaluate(observed, Set.of());
    }

    private List<Notification> evaluate(List<Condition> observed, Set<String> undetermined) {
        Outcome outcome = rules.evaluate(episodes, observed, undetermined, clock.instant());
        episodes = outcome.episodes();
        return outcome.notifications();
    }

    @Test
    void aConditionFiresOnceThenResolvesOnce() {
        assertThat(evaluate(List.of(BLOCKED))).containsExactly(new Notification(State.FIRING, Kind.TABLE_BLOCKED,
                "payments", BLOCKED.message(), "mlc dataset sync", START, START));
        clock.advance(Duration.ofSeconds(15));
        assertThat(evaluate(List.of(BLOCKED))).as("still blocked: no second alert").isEmpty();
        clock.advance(Duration.ofSeconds(15));
        assertThat(evaluate(List.of(BLOCKED))).isEmpty();
        assertThat(episodes).containsOnlyKeys("table_blocked:payments");

        clock.advance(Duration.ofSeconds(15));
        Instant cleared = clock.instant();
        assertThat(evaluate(List.of())).containsExactly(new Notification(State.RESOLVED, Kind.TABLE_BLOCKED, "payments",
                BLOCKED.message(), "mlc dataset sync", START, cleared));
        assertThat(episodes).isEmpty();
        clock.advance(Duration.ofSeconds(15));
        assertThat(evaluate(List.of())).as("nothing more after the resolution").isEmpty();
    }

    @Test
    void aNewEpisodeAfterAResolutionFiresAgain() {
        evaluate(List.of(BLOCKED));
        clock.advance(Duration.ofMinutes(1));
        evaluate(List.of());
        clock.advance(Duration.ofMinutes(1));
        assertThat(evaluate(List.of(BLOCKED))).extracting(Notification::state, Notification::since)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(State.FIRING, START.plus(Duration.ofMinutes(2))));
    }

    @Test
    void aFiredEpisodeKeepsItsMessageWhileTheConditionChanges() {
        Condition dead3 = new Condition(Kind.DEAD_LETTERS, "inbox", "3 records dead-lettered", "mlc replay --dead-letters");
        Condition dead5 = new Condition(Kind.DEAD_LETTERS, "inbox", "5 records dead-lettered", "mlc replay --dead-letters");
        assertThat(evaluate(List.of(dead3))).hasSize(1);
        clock.advance(Duration.ofSeconds(15));
        assertThat(evaluate(List.of(dead5))).as("grown within the episode: no second alert").isEmpty();
        clock.advance(Duration.ofSeconds(15));
        assertThat(evaluate(List.of())).singleElement().extracting(Notification::message).isEqualTo("3 records dead-lettered");
    }

    @Test
    void aHeldKindFiresOnlyOnceTheConditionLastedItsHold() {
        assertThat(evaluate(List.of(DIFFERS))).isEmpty();
        clock.advance(Duration.ofMinutes(29));
        assertThat(evaluate(List.of(DIFFERS))).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(evaluate(List.of(DIFFERS))).singleElement().satisfies(n -> {
            assertThat(n.state()).isEqualTo(State.FIRING);
            assertThat(n.since()).isEqualTo(START);
            assertThat(n.at()).isEqualTo(START.plus(Duration.ofMinutes(30)));
        });
        clock.advance(Duration.ofMinutes(10));
        assertThat(evaluate(List.of(DIFFERS))).isEmpty();
    }

    @Test
    void aHeldConditionThatClearsBeforeItsHoldNeverNotifies() {
        evaluate(List.of(DIFFERS));
        clock.advance(Duration.ofMinutes(20));
        assertThat(evaluate(List.of())).as("cleared within the grace: no alert, no resolution").isEmpty();
        assertThat(episodes).isEmpty();
        clock.advance(Duration.ofMinutes(20));
        assertThat(evaluate(List.of(DIFFERS))).as("a new episode starts its grace afresh").isEmpty();
        clock.advance(Duration.ofMinutes(29));
        assertThat(evaluate(List.of(DIFFERS))).isEmpty();
    }

    @Test
    void anUndeterminedConditionKeepsItsEpisode() {
        evaluate(List.of(DIFFERS));
        clock.advance(Duration.ofMinutes(20));
        assertThat(evaluate(List.of(), Set.of(DIFFERS.key()))).as("not compared this time: kept").isEmpty();
        assertThat(episodes.get(DIFFERS.key()).firstSeen()).isEqualTo(START);
        clock.advance(Duration.ofMinutes(10));
        assertThat(evaluate(List.of(DIFFERS))).as("the grace counts from the first sighting").hasSize(1);
        clock.advance(Duration.ofMinutes(10));
        assertThat(evaluate(List.of(), Set.of(DIFFERS.key()))).as("a fired one is not resolved while unknown").isEmpty();
        assertThat(evaluate(List.of())).extracting(Notification::state).containsExactly(State.RESOLVED);
    }

    @Test
    void episodesOfOneKindAreToldApartBySubjectAndResolutionsComeFirst() {
        Condition acme = new Condition(Kind.FRESHNESS, "acme", "Acme is 75 s behind", "mlc status");
        Condition globex = new Condition(Kind.FRESHNESS, "globex", "Globex is 90 s behind", "mlc status");
        assertThat(evaluate(List.of(acme, globex))).extracting(Notification::subject).containsExactly("acme", "globex");
        clock.advance(Duration.ofSeconds(15));
        assertThat(evaluate(List.of(globex, BLOCKED))).extracting(Notification::state, Notification::subject)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(State.RESOLVED, "acme"),
                        org.assertj.core.groups.Tuple.tuple(State.FIRING, "payments"));
    }

    @Test
    void theWebhookPayloadCarriesTextAndFields() {
        Notification firing = evaluate(List.of(BLOCKED)).get(0);
        Map<String, Object> payload = AlertSender.payload(firing, "node-1");
        assertThat(payload.get("text")).isEqualTo("[ALERT] " + BLOCKED.message() + " Fix: mlc dataset sync");
        assertThat(payload).containsEntry("status", "firing").containsEntry("alert", "table_blocked")
                .containsEntry("subject", "payments").containsEntry("instance", "node-1")
                .containsEntry("since", START.toString());
        clock.advance(Duration.ofSeconds(15));
        Map<String, Object> resolved = AlertSender.payload(evaluate(List.of()).get(0), "node-1");
        assertThat(resolved.get("text")).isEqualTo("[RESOLVED] " + BLOCKED.message());
        assertThat(resolved).containsEntry("status", "resolved");
    }

    @Test
    void retriesBackOffBoundedly() {
        AlertSender sender = new AlertSender(null, "n", null, null, Duration.ofSeconds(1), Duration.ofSeconds(30), 8);
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7).stream().map(sender::backoff).map(Duration::toSeconds).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
        sender.close();
    }
}
