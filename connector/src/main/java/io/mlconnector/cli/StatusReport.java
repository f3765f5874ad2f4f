package io.mlconnector.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/status} (the JSON of {@code Operations.Status}) as a short summary for a person: tenants,
 * what came in and went out, what waits and for how long, and what needs a hand (blocked tables, quarantined
 * batches) with the command that helps. A pure function of the JSON, so it is tested without a service.
 */
final class StatusReport {
    private StatusReport() {
    }

    static List<String> render(JsonNode status) {
        List<String> lines = new ArrayList<>();
        Instant at = instant(status.path("at"));
        lines.add("ml-connector status" + (at == null ? "" : " at " + at) + ": dataset "
                + orDash(text(status.path("datasetId"))) + " in workspace " + orDash(text(status.path("workspaceId"))));

        List<JsonNode> tenants = status.path("tenants").values().stream().toList();
        lines.add("Tenants: " + (tenants.isEmpty() ? "none connected (connect a business: /oauth/freshbooks/start)"
                : tenants.size()));
        for (JsonNode tenant : tenants) {
            String reason = text(tenant.path("statusReason"));
            lines.add("  " + orDash(text(tenant.path("businessName"))) + " (" + orDash(text(tenant.path("tenantId")))
                    + "): " + tenantStatus(text(tenant.path("status"))) + (reason == null ? "" : ": " + reason));
        }

        lines.add("Events: " + number(status.path("eventsReceived")) + " received, "
                + number(status.path("inboxPending")) + " pending");
        Instant oldest = instant(status.path("oldestWaiting"));
        lines.add("Rows: " + number(status.path("rowsPushed")) + " pushed, " + number(status.path("outboxUnsent"))
                + " waiting; oldest waiting: " + (oldest == null ? "nothing waits"
                : at == null ? "since " + oldest : age(Duration.between(oldest, at)) + " (since " + oldest + ")"));

        JsonNode route = status.path("route");
        if (route.isObject()) {
            String paused = text(route.path("pausedReason"));
            lines.add("Power BI: " + (paused == null ? "pushing to dataset " + orDash(text(route.path("datasetId")))
                    + " (lost answers resolved by " + resolver(text(route.path("resolver"))) + ")"
                    : "PAUSED since " + orDash(text(route.path("pausedSince"))) + ": " + paused));
            if (paused != null) {
                lines.add("  fix: " + orDash(text(route.path("pausedFix"))));
            }
        } else {
            lines.add("Power BI: not reached yet");
        }
        for (JsonNode rebuild : status.path("rebuilding").values()) {
            lines.add("  rebuilding " + orDash(text(rebuild.path("table"))) + " from the ledger: "
                    + orDash(text(rebuild.path("reason"))));
        }

        List<JsonNode> blocked = status.path("tables").values().stream()
                .filter(t -> t.path("blocked").asBoolean(false)).toList();
        lines.add("Blocked tables: " + (blocked.isEmpty() ? "none" : blocked.size()));
        for (JsonNode table : blocked) {
            lines.add("  " + orDash(text(table.path("table"))) + ": " + orDash(text(table.path("reason"))));
            lines.add("    fix: " + orDash(text(table.path("fix"))));
        }

        List<JsonNode> quarantined = status.path("quarantined").values().stream().toList();
        lines.add("Quarantined batches: " + (quarantined.isEmpty() ? "none"
                : quarantined.size() + " (after fixing the cause: mlc replay <batch id>)"));
        for (JsonNode batch : quarantined) {
            lines.add("  " + orDash(text(batch.path("batchId"))) + "  " + orDash(text(batch.path("table")))
                    + " (" + number(batch.path("rowCount")) + " rows): " + orDash(text(batch.path("lastError"))));
        }
        return lines;
    }

    /** "45s", "2m 05s", "3h 04m", "2d 03h": precise enough to tell a stall from a queue. */
    static String age(Duration duration) {
        long s = Math.max(0, duration.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %02dh", s / 86_400, s % 86_400 / 3600);
    }

    private static String resolver(String name) {
        return name == null ? "-" : name.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** The enum as the rest of the product spells it (active, needs_reauthorization). */
    private static String tenantStatus(String status) {
        return status == null ? "unknown" : status.toLowerCase(Locale.ROOT);
    }

    private static String number(JsonNode node) {
        return node.isNumber() ? String.format(Locale.ROOT, "%,d", node.asLong()) : "?";
    }

    /** ISO-8601 text, or epoch seconds as a number, as a JSON mapper may write an {@link Instant}. */
    private static Instant instant(JsonNode node) {
        if (node.isNumber()) {
            BigDecimal seconds = node.decimalValue();
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        String text = text(node);
        return text == null ? null : Instant.parse(text);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asString();
    }

    private static String orDash(String value) {
        return value == null || value.isBlank() ? "-" : value;
    }
}
