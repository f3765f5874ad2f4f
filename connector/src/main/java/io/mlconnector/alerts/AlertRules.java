package io.mlconnector.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The alert decision, a pure function: the episodes in progress and the conditions observed now give the episodes
 * after this evaluation and the notifications to send. An episode begins when its condition is first observed and
 * fires once it has lasted its kind's hold (zero for most kinds: at once); it ends when the condition is no longer
 * observed, with a "resolved" notification if it had fired. A condition whose state could not be told this time
 * (its key among {@code undetermined}) keeps its episode as it is.
 */
public final class AlertRules {

    /** What an alert is about; its label names it in keys, payloads and logs. */
    public enum Kind {
        REAUTHORIZATION, TABLE_BLOCKED, ROUTE_PAUSED, DEAD_LETTERS, QUARANTINE, CONTROL_TOTALS, FRESHNESS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A condition observed now: {@code subject} tells episodes of one kind apart (a grant, a table, a tenant). */
    public record Condition(Kind kind, String subject, String message, String fix) {
        public String key() {
            return AlertRules.key(kind, subject);
        }
    }

    /** A condition being observed since {@code firstSeen}; {@code firedAt} null while it has not lasted its hold. */
    public record Episode(Kind kind, String subject, String message, String fix, Instant firstSeen, Instant firedAt) {
        public boolean fired() {
            return firedAt != null;
        }
    }

    public enum State {
        FIRING, RESOLVED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One alert or resolution to log and send. {@code since}: when the condition was first observed. */
    public record Notification(State state, Kind kind, String subject, String message, String fix, Instant since,
                               Instant at) {}

    public record Outcome(Map<String, Episode> episodes, List<Notification> notifications) {}

    private final Map<Kind, Duration> holds;

    /** @param holds how long a condition of each kind must last before it fires (kinds not named: at once) */
    public AlertRules(Map<Kind, Duration> holds) {
        this.holds = holds.isEmpty() ? new EnumMap<>(Kind.class) : new EnumMap<>(holds);
    }

    public static String key(Kind kind, String subject) {
        return kind.label() + ":" + subject;
    }

    public Outcome evaluate(Map<String, Episode> previous, Collection<Condition> observed, Set<String> undetermined,
                            Instant now) {
        Map<String, Episode> next = new TreeMap<>();
        List<Notification> firing = new ArrayList<>();
        Map<String, Condition> seen = new LinkedHashMap<>();
        observed.forEach(c -> seen.putIfAbsent(c.key(), c));
        for (Condition condition : seen.values()) {
            Episode before = previous.get(condition.key());
            Instant firstSeen = before == null ? now : before.firstSeen();
            Instant firedAt = before == null ? null : before.firedAt();
            if (firedAt == null && !now.isBefore(firstSeen.plus(holds.getOrDefault(condition.kind(), Duration.ZERO)))) {
                firedAt = now;
                firing.add(new Notification(State.FIRING, condition.kind(), condition.subject(), condition.message(),
                        condition.fix(), firstSeen, now));
            }
            // A fired episode keeps the message it fired with; one still waiting out its hold shows the latest.
            Episode episode = before != null && before.fired() ? before
                    : new Episode(condition.kind(), condition.subject(), condition.message(), condition.fix(), firstSeen, firedAt);
            next.put(condition.key(), episode);
        }
        List<Notification> resolved = new ArrayList<>();
        for (Map.Entry<String, Episode> entry : new TreeMap<>(previous).entrySet()) {
            if (seen.containsKey(entry.getKey())) {
                continue;
            }
            Episode episode = entry.getValue();
            if (undetermined.contains(entry.getKey())) {
                next.put(entry.getKey(), episode);
            } else if (episode.fired()) {
                resolved.add(new Notification(State.RESOLVED, episode.kind(), episode.subject(), episode.message(),
                        episode.fix(), episode.firstSeen(), now));
            }
        }
        List<Notification> notifications = new ArrayList<>(resolved);
        notifications.addAll(firing);
        return new Outcome(next, notifications);
    }
}
