package io.mlconnector.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/explain} (a {@code RecordLineage.Explanation}) for a person: one line per signed row, in the order
 * they were written, saying which sign, when, in which batch and in what state, and what caused it (the webhook
 * events, a backfill, a sweep or replay, a table rebuild); then what the ledger holds. A pure function of the JSON.
 */
final class ExplainReport {
    private static final Pattern LISTING = Pattern.compile("^(backfill:(bf-[\\w-]+)|sweep):(\\w+):(all|since [\\d-]+)(:deleted)?$");

    private ExplainReport() {
    }

    static List<String> render(JsonNode explanation) {
        List<String> lines = new ArrayList<>();
        String table = explanation.path("table").asString("");
        String id = explanation.path("objectId").asString("");
        String tenant = text(explanation.path("tenantId"));
        List<JsonNode> rows = explanation.path("rows").values().stream().toList();
        int net = rows.stream().mapToInt(r -> r.path("sign").asInt()).sum();
        String of = table + " rows of record " + id + (tenant == null ? "" : " of tenant " + tenant);
        if (rows.isEmpty()) {
            lines.add("No " + of + " in the outbox: never pushed to that table, or sent longer ago than "
                    + "pipeline.retention (sent rows are deleted after it).");
        } else {
            lines.add(of + ": " + rows.size() + " signed row" + (rows.size() == 1 ? "" : "s") + ", net "
                    + (net > 0 ? "+" : "") + net + (net == 0 ? " (Power BI sums them to nothing: deleted or moved)" : ""));
        }
        for (JsonNode row : rows) {
            lines.add("  " + (row.path("sign").asInt() > 0 ? "+" : "−") + " " + row.path("rowKey").asString("")
                    + (tenant == null ? " of " + row.path("tenantId").asString("") : "")
                    + "  written " + orDash(text(row.path("createdAt"))) + "  " + batch(row));
            lines.add("      cause: " + cause(row));
        }
        for (JsonNode entry : explanation.path("ledger").values()) {
            lines.add("Ledger: " + entry.path("objectType").asString("") + " " + id + " of "
                    + entry.path("tenantId").asString("") + (entry.path("deleted").asBoolean() ? " deleted" : " held")
                    + " at FreshBooks version " + orDash(text(entry.path("sourceVersion"))) + ", last applied "
                    + orDash(text(entry.path("updatedAt"))));
        }
        if (explanation.path("ledger").isEmpty()) {
            lines.add("Ledger: no entry for " + id + (rows.isEmpty() ? " (the connector never read such a record; "
                    + "mlc replay --tenant T --record TYPE:" + id + " fetches it)" : ""));
        }
        return lines;
    }

    /** Where the row went: its batch, that batch's state and when it was sent, or that it waits for one. */
    static String batch(JsonNode row) {
        String batchId = text(row.path("batchId"));
        if (batchId == null) {
            return "not in a batch yet (waits in the outbox)";
        }
        String state = row.path("batchState").asString("?");
        String error = text(row.path("lastError"));
        return "batch " + batchId + " " + switch (state) {
            case "sent" -> "sent " + orDash(text(row.path("sentAt")));
            case "quarantined" -> "QUARANTINED" + (error == null ? "" : ": " + error) + " (mlc replay " + batchId + ")";
            case "pending" -> "pending" + (error == null ? "" : ", last error: " + error);
            default -> state;
        };
    }

    /** The row's cause in words: webhook events, a listing (backfill, sweep or replay), or as stored. */
    static String cause(JsonNode row) {
        String cause = row.path("cause").asString("");
        List<JsonNode> events = row.path("events").values().stream().toList();
        if (cause.startsWith("inbox:")) {
            if (events.isEmpty()) {
                return "webhook events " + cause.substring("inbox:".length()) + " (no longer in the inbox: retention)";
            }
            List<String> each = new ArrayList<>();
            for (JsonNode event : events) {
                String name = event.path("eventName").asString("");
                each.add(("replay.requested".equals(name) ? "mlc replay --record" : "webhook " + name) + " received "
                        + orDash(text(event.path("receivedAt"))) + " (inbox " + event.path("inboxId").asLong() + ")");
            }
            return String.join("; ", each) + (each.size() > 1 ? ", fetched once" : "");
        }
        Matcher listing = LISTING.matcher(cause);
        if (listing.matches()) {
            String what = listing.group(3) + " listing, " + ("all".equals(listing.group(4)) ? "all records"
                    : "changed " + listing.group(4)) + (listing.group(5) == null ? "" : ", deleted records");
            return listing.group(2) != null ? "backfill " + listing.group(2) + " (" + what + ")"
                    : "sweep or mlc replay --tenant (" + what + ")";
        }
        return cause;
    }

    private static String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : node.asString();
    }

    private static String orDash(String text) {
        return text == null ? "–" : text;
    }
}
