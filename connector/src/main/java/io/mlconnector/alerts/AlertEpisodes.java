package io.mlconnector.alerts;

import io.mlconnector.alerts.AlertRules.Episode;
import io.mlconnector.alerts.AlertRules.Kind;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@code alert_episode} table (V17): the alerts in progress, kept in the store so that whichever instance
 * evaluates next knows what was fired and sends each "resolved" once.
 */
public final class AlertEpisodes {
    private final Jdbi jdbi;

    public AlertEpisodes(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Map<String, Episode> load() {
        Map<String, Episode> episodes = new TreeMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT * FROM alert_episode").map((rs, ctx) -> Map.entry(rs.getString("alert_key"),
                        new Episode(Kind.valueOf(rs.getString("kind")), rs.getString("subject"), rs.getString("message"),
                                rs.getString("fix"), instant(rs.getObject("first_seen", OffsetDateTime.class)),
                                instant(rs.getObject("fired_at", OffsetDateTime.class)))))
                .forEach(e -> episodes.put(e.getKey(), e.getValue())));
        return episodes;
    }

    /** Replaces the stored episodes with {@code episodes}, in one transaction. */
    public void save(Map<String, Episode> episodes) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM alert_episode").execute();
            if (episodes.isEmpty()) {
                return;
            }
            PreparedBatch insert = h.prepareBatch("""
                    INSERT INTO alert_episode (alert_key, kind, subject, message, fix, first_seen, fired_at)
                    VALUES (:key, :kind, :subject, :message, :fix, :firstSeen, :firedAt)""");
            for (Map.Entry<String, Episode> e : episodes.entrySet()) {
                Episode episode = e.getValue();
                insert.bind("key", clip(e.getKey(), 400)).bind("kind", episode.kind().name())
                        .bind("subject", clip(episode.subject(), 300)).bind("message", clip(episode.message(), 2000))
                        .bind("fix", clip(episode.fix(), 2000)).bind("firstSeen", episode.firstSeen())
                        .bind("firedAt", episode.firedAt()).add();
            }
            insert.execute();
        });
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    private static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
