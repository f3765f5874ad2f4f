package io.mlconnector.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * A backfill's progress ({@code GET /api/backfills/{id}}, a {@code Backfills.Snapshot}) as one line: a bar, records
 * fetched, rows queued and pushed, the rate, where it is and, once some listings are done, an ETA; and the summary
 * line when it ends. Pure functions of the numbers, so they are tested with known answers.
 */
final class BackfillLine {
    static final int BAR_WIDTH = 20;

    private BackfillLine() {
    }

    /** The numbers of one snapshot; {@code elapsed}: since it started (to its end, once ended). */
    record Progress(String id, String state, long records, long queued, long pushed, int listingsDone,
                    int listingsTotal, String tenant, String type, int page, int pages, int pagesSkipped,
                    Duration elapsed, String error) {

        static Progress of(JsonNode json, Instant now) {
            Instant started = instant(json.path("startedAt"));
            Instant finished = instant(json.path("finishedAt"));
            Instant end = finished != null ? finished : now;
            Duration elapsed = started == null ? Duration.ZERO : Duration.between(started, end);
            return new Progress(json.path("id").asString(""), json.path("state").asString(""),
                    json.path("recordsFetched").asLong(), json.path("rowsQueued").asLong(),
                    json.path("rowsPushed").asLong(), json.path("listingsDone").asInt(),
                    json.path("listingsTotal").asInt(), text(json.path("tenant")), text(json.path("type")),
                    json.path("page").asInt(), json.path("pages").asInt(), json.path("pagesSkipped").asInt(),
                    elapsed.isNegative() ? Duration.ZERO : elapsed, text(json.path("error")));
        }

        boolean fetching() {
            return "FETCHING".equals(state);
        }

        boolean ended() {
            return "DONE".equals(state) || "FAILED".equals(state);
        }

        /** How much of the listings is read: those done, plus the current one's share of pages. */
        double fraction() {
            if (listingsTotal <= 0) {
                return 0;
            }
            double current = fetching() && pages > 0 ? Math.min(1.0, (double) page / pages) : 0;
            return Math.min(1.0, (listingsDone + current) / listingsTotal);
        }
    }

    /**
     * The progress line, e.g. {@code [#####---------------] 25%  1,200 records fetched · 2,400 rows queued · 900
     * pushed · 300 records/s · invoice of 1234 page 3/7 · ETA 12s}. The ETA is the time so far scaled by what is
     * left of the listings; it shows once a listing is done (before, nothing says how big the rest is).
     */
    static String line(Progress p) {
        double fraction = p.fetching() ? p.fraction() : 1.0;
        int filled = (int) Math.floor(fraction * BAR_WIDTH);
        StringBuilder line = new StringBuilder("[").append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled))
                .append("] ").append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100)))
                .append("  ").append(number(p.records())).append(" records fetched · ").append(number(p.queued()))
                .append(" rows queued · ").append(number(p.pushed())).append(" pushed · ")
                .append(number(rate(p.records(), p.elapsed()))).append(" records/s");
        if (p.fetching()) {
            if (p.type() != null) {
                line.append(" · ").append(p.type()).append(" of ").append(p.tenant()).append(" page ")
                        .append(p.page()).append('/').append(p.pages() > 0 ? String.valueOf(p.pages()) : "?");
            }
            if (p.listingsDone() > 0 && fraction > 0 && fraction < 1) {
                long etaSeconds = Math.round(p.elapsed().toMillis() / 1000.0 * (1 - fraction) / fraction);
                line.append(" · ETA ").append(StatusReport.age(Duration.ofSeconds(etaSeconds)));
            }
        } else if ("PUSHING".equals(p.state())) {
            line.append(" · all read; ").append(number(p.queued() - p.pushed())).append(" rows still going to Power BI");
        }
        return line.toString();
    }

    /** The last line: what the backfill did, how long it took, and what to do when it stopped. */
    static String summary(Progress p) {
        String counts = number(p.records()) + " records fetched, " + number(p.queued()) + " rows queued, "
                + number(p.pushed()) + " pushed to Power BI in " + seconds(p.elapsed()) + " ("
                + number(rate(p.records(), p.elapsed())) + " records/s)"
                + (p.pagesSkipped() > 0 ? "; " + number(p.pagesSkipped()) + " pages already read by an earlier backfill skipped" : "");
        if ("FAILED".equals(p.state())) {
            return "Backfill " + p.id() + " stopped at " + p.type() + " of " + p.tenant() + " page " + (p.page() + 1)
                    + ": " + p.error() + ". So far " + counts
                    + ". Fix the cause and run the same command again: it continues from that page.";
        }
        if ("DONE".equals(p.state())) {
            return "Backfill " + p.id() + " done: " + counts + ".";
        }
        return "Backfill " + p.id() + " read everything: " + counts + "; " + number(p.queued() - p.pushed())
                + " rows still wait for Power BI (mlc status says why).";
    }

    static long rate(long records, Duration elapsed) {
        long millis = elapsed.toMillis();
        return millis <= 0 ? 0 : Math.round(records * 1000.0 / millis);
    }

    private static String seconds(Duration elapsed) {
        return String.format(Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0);
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : node.asString();
    }

    private static Instant instant(JsonNode node) {
        if (node.isNumber()) {
            BigDecimal seconds = node.decimalValue();
            return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        String text = text(node);
        return text == null ? null : Instant.parse(text);
    }
}
