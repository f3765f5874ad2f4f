package io.mlconnector.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
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
        lines.add("Tenants: " + (tenants.isEmpty() ? "none connected (connect a business: mlc connect freshbooks)"
                : tenants.size()));
        for (JsonNode tenant : tenants) {
            String reason = text(tenant.path("statusReason"));
            lines.add("  " + orDash(text(tenant.path("businessName"))) + " (" + orDash(text(tenant.path("tenantId")))
                    + "): " + tenantStatus(text(tenant.path("status"))) + (reason == null ? "" : ": " + reason));
            if ("NEEDS_REAUTHORIZATION".equalsIgnoreCase(text(tenant.path("status")))) {
                lines.add("    fix: reconnect the business (its events wait until then): mlc connect freshbooks");
            }
        }

        if (!tenants.isEmpty()) {
            lines.add("Last sweep (finds what webhooks missed): " + sweeps(tenants, status.path("sweeps"), at));
        }
        for (JsonNode backfill : status.path("backfills").values()) { // running, or ended within the hour
            lines.add("Backfill " + BackfillLine.line(BackfillLine.Progress.of(backfill, at == null ? Instant.now() : at))
                    .replaceFirst("^\\[[#-]*\\] *", backfill.path("id").asString("") + " "
                            + backfill.path("state").asString("").toLowerCase(Locale.ROOT) + " "));
        }

        if (status.path("waiting").isObject()) {
            waiting(status, at, lines);
        } else { // a connector from before the split: totals only
            lines.add("Events: " + number(status.path("eventsReceived")) + " received, "
                    + number(status.path("inboxPending")) + " pending");
            Instant oldest = instant(status.path("oldestWaiting"));
            lines.add("Rows: " + number(status.path("rowsPushed")) + " pushed, " + number(status.path("outboxUnsent"))
                    + " waiting; oldest waiting: " + (oldest == null ? "nothing waits"
                    : at == null ? "since " + oldest : age(Duration.between(oldest, at)) + " (since " + oldest + ")"));
        }

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
        String self = text(status.path("instanceId"));
        for (JsonNode lease : status.path("leases").values()) {
            String owner = text(lease.path("owner"));
            Instant expires = instant(lease.path("expiresAt"));
            boolean live = expires == null || at == null || expires.isAfter(at);
            lines.add("  " + orDash(text(lease.path("name"))) + " owned by " + orDash(owner)
                    + (owner != null && owner.equals(self) ? " (this instance)" : "")
                    + (live ? "" : " (expired " + age(Duration.between(expires, at)) + " ago; another instance takes it over)"));
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
        deadLetters(status.path("deadLetters"), lines);
        controlTotals(status.path("controlTotals").values().stream().toList(), at, lines);
        return lines;
    }

    /**
     * "Events: N received, M waiting" and "Rows: N pushed, M waiting", each followed by its parts (a count, why, its
     * oldest, what clears it), then the oldest of all named with its part: the parts add up to the totals, so an
     * oldest never stands beside a zero.
     */
    private static void waiting(JsonNode status, Instant at, List<String> lines) {
        JsonNode waiting = status.path("waiting");
        lines.add("Events: " + number(status.path("eventsReceived")) + " received, " + number(status.path("inboxPending"))
                + " waiting in the inbox");
        JsonNode oldestPart = null;
        String oldestOf = null;
        for (JsonNode part : waiting.path("events").values()) {
            lines.add(partLine(part, eventLabel(text(part.path("why"))), at));
            if (older(part, oldestPart)) {
                oldestPart = part;
                oldestOf = eventLabel(text(part.path("why"))) + " events";
            }
        }
        lines.add("Rows: " + number(status.path("rowsPushed")) + " pushed, " + number(status.path("outboxUnsent"))
                + " waiting in the outbox");
        for (JsonNode part : waiting.path("rows").values()) {
            lines.add(partLine(part, rowLabel(text(part.path("why"))), at));
            if (older(part, oldestPart)) {
                oldestPart = part;
                oldestOf = "rows " + rowLabel(text(part.path("why")));
            }
        }
        lines.add("Oldest waiting: " + (oldestPart == null ? "nothing waits"
                : since(instant(oldestPart.path("oldest")), at) + ", among the " + oldestOf));
    }

    private static String partLine(JsonNode part, String label, Instant at) {
        String clearedBy = text(part.path("clearedBy"));
        return "  " + number(part.path("count")) + " " + label + ", oldest " + since(instant(part.path("oldest")), at)
                + (clearedBy == null ? "" : "; " + clearedBy);
    }

    private static boolean older(JsonNode part, JsonNode than) {
        Instant oldest = instant(part.path("oldest"));
        return oldest != null && (than == null || oldest.isBefore(instant(than.path("oldest"))));
    }

    private static String since(Instant when, Instant at) {
        return when == null ? "-" : at == null ? "since " + when : age(Duration.between(when, at));
    }

    static String eventLabel(String why) {
        return switch (orDash(why)) {
            case "queued" -> "queued (in their quiet window, due, or being fetched)";
            case "retrying" -> "retrying after a failed fetch";
            case "tenant_needs_reauthorization" -> "of a business that needs re-authorization";
            case "dead_lettered" -> "dead-lettered (no longer fetched)";
            default -> orDash(why);
        };
    }

    static String rowLabel(String why) {
        return switch (orDash(why)) {
            case "queued" -> "queued for Power BI";
            case "retrying" -> "retrying after a refusal or a throttle";
            case "resolving" -> "in a POST whose outcome is being checked";
            case "table_blocked" -> "of blocked tables";
            case "route_paused" -> "held by the paused route";
            case "quarantined" -> "in quarantined batches";
            default -> orDash(why);
        };
    }

    /** "Dead letters: 3 (…)", then the newest, each with its reason and the command that queues it again. */
    private static void deadLetters(JsonNode deadLetters, List<String> lines) {
        long count = deadLetters.path("count").asLong(0);
        lines.add("Dead letters (records whose fetch kept failing): " + (count == 0 ? "none"
                : count + " (after fixing the cause: mlc replay --dead-letters)"));
        List<JsonNode> newest = deadLetters.path("newest").values().stream().toList();
        for (JsonNode letter : newest) {
            Instant since = instant(letter.path("since"));
            lines.add("  " + orDash(text(letter.path("tenantId"))) + " " + orDash(text(letter.path("record"))) + " ("
                    + number(letter.path("attempts")) + " attempts, since " + (since == null ? "-" : since) + "): "
                    + orDash(text(letter.path("reason"))));
            lines.add("    fix: " + orDash(text(letter.path("fix"))));
        }
        if (count > newest.size()) {
            lines.add("  … and " + (count - newest.size()) + " more");
        }
    }

    /**
     * "Control totals: 27 match, 1 differs; checked 2m ago", then one line per tenant table that differs (ledger vs
     * Power BI) and one per reason Power BI could not be asked. Counts are of tenant tables.
     */
    private static void controlTotals(List<JsonNode> results, Instant at, List<String> lines) {
        if (results.isEmpty()) {
            lines.add("Control totals: not checked yet");
            return;
        }
        Map<String, List<JsonNode>> byVerdict = new LinkedHashMap<>();
        for (String verdict : List.of("MATCH", "DIFFERS", "CATCHING_UP", "UNAVAILABLE")) {
            byVerdict.put(verdict, new ArrayList<>());
        }
        Instant checked = null;
        for (JsonNode result : results) {
            byVerdict.computeIfAbsent(orDash(text(result.path("verdict"))), v -> new ArrayList<>()).add(result);
            Instant when = instant(result.path("checkedAt"));
            checked = when == null || checked != null && checked.isAfter(when) ? checked : when;
        }
        List<String> parts = new ArrayList<>();
        byVerdict.forEach((verdict, of) -> {
            if (!of.isEmpty()) {
                String tables = verdict.equals("CATCHING_UP") ? " (" + of.stream().map(r -> text(r.path("table")))
                        .distinct().collect(Collectors.joining(", ")) + ")" : "";
                parts.add(of.size() + " " + switch (verdict) {
                    case "MATCH" -> "match";
                    case "DIFFERS" -> of.size() == 1 ? "differs" : "differ";
                    case "CATCHING_UP" -> "catching up";
                    case "UNAVAILABLE" -> "not compared";
                    default -> verdict.toLowerCase(Locale.ROOT);
                } + tables);
            }
        });
        lines.add("Control totals (ledger vs Power BI): " + String.join(", ", parts) + "; checked "
                + (checked == null ? "-" : at == null ? "at " + checked : age(Duration.between(checked, at)) + " ago"));
        for (JsonNode result : byVerdict.get("DIFFERS")) {
            String differences = result.path("differences").values().stream()
                    .map(d -> orDash(text(d.path("measure"))) + " " + decimal(d.path("ledger")) + " vs "
                            + decimal(d.path("powerBi")))
                    .collect(Collectors.joining(", "));
            String detail = text(result.path("detail"));
            lines.add("  " + orDash(text(result.path("table"))) + " " + orDash(text(result.path("tenant"))) + ": "
                    + differences + (detail == null ? "" : "; " + detail));
        }
        byVerdict.get("UNAVAILABLE").stream().map(r -> orDash(text(r.path("detail")))).distinct()
                .forEach(reason -> lines.add("  not compared: " + reason));
    }

    /** A money amount or count as written: "1250.5" stays 1250.5 (no grouping, so it reads as in Power BI). */
    private static String decimal(JsonNode node) {
        return node.isNumber() ? node.decimalValue().toPlainString() : orDash(text(node));
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

    /** Per tenant: how long ago its last sweep completed, and what failed in it. */
    private static String sweeps(List<JsonNode> tenants, JsonNode runs, Instant at) {
        List<String> parts = new ArrayList<>();
        for (JsonNode tenant : tenants) {
            String id = text(tenant.path("tenantId"));
            JsonNode run = runs.values().stream().filter(r -> java.util.Objects.equals(id, text(r.path("tenantId"))))
                    .findFirst().orElse(null);
            Instant finished = run == null ? null : instant(run.path("finishedAt"));
            String failed = run == null || run.path("failedTypes").isEmpty() ? ""
                    : ", failed: " + String.join(" ", run.path("failedTypes").values().stream().map(JsonNode::asString).toList());
            parts.add(orDash(id) + " " + (finished == null ? "none yet"
                    : (at == null ? "at " + finished : age(Duration.between(finished, at)) + " ago")
                    + " (" + number(run.path("recordsRead")) + " records" + failed + ")"));
        }
        return String.join("; ", parts);
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
