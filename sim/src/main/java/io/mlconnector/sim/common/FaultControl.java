package io.mlconnector.sim.common;

import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP face of a {@link FaultInjector} under {@value #PATH}, so a separately running simulator (e.g. {@code ./mlc
 * sim}) can be given faults. Never faulted itself.
 *
 * <ul>
 *   <li>{@code GET /sim/faults}: {@code {"now": …, "rules": [...], "injected": n}}, rules in the order tried.</li>
 *   <li>{@code POST /sim/faults} with a rule: 201 and the rule as stored (absolute {@code from}/{@code until}).</li>
 *   <li>{@code DELETE /sim/faults}: removes every rule (also ones added from Java); 200 {@code {"cleared": n}}.</li>
 * </ul>
 *
 * A rule: {@code kind} THROTTLE | SERVER_ERROR | LATENCY, or for the Power BI simulator also ACCEPT_THEN_DROP |
 * ACCEPT_THEN_HANG | UNAUTHORIZED_SWITCH | FORBIDDEN | BAD_VALUE (required, see {@link FaultInjector.Kind});
 * {@code share} 0..1 (default 1); {@code fromSeconds}/{@code untilSeconds} relative to the simulator's clock now
 * (absent = open); {@code pathContains} (absent = every path); {@code times} (the next n requests hit, absent = no
 * limit); {@code status} (SERVER_ERROR: 500..599, default 500; THROTTLE: 429); {@code retryAfterSeconds} (THROTTLE
 * only, default 1); {@code latencyMillis} (LATENCY and ACCEPT_THEN_HANG only, required, 1..30000; for the hang it is
 * how long the 200 is held). Anything else is 400 {@code {"message": …}}.
 */
public final class FaultControl {
    public static final String PATH = "/sim/faults";
    public static final long MAX_LATENCY_MILLIS = FaultInjector.MAX_HOLD.toMillis();

    private static final Set<String> FIELDS = Set.of("kind", "share", "fromSeconds", "untilSeconds", "pathContains",
            "status", "retryAfterSeconds", "latencyMillis", "times");

    private static final String KINDS = "THROTTLE, SERVER_ERROR or LATENCY (Power BI also ACCEPT_THEN_DROP,"
            + " ACCEPT_THEN_HANG, UNAUTHORIZED_SWITCH, FORBIDDEN, BAD_VALUE)";

    private final FaultInjector faults;

    public FaultControl(FaultInjector faults) {
        this.faults = faults;
    }

    public void list(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("now", faults.clock().instant().toString());
        body.put("rules", faults.rules().stream().map(FaultControl::json).toList());
        body.put("injected", faults.injected().size());
        ctx.json(body);
    }

    public void add(Context ctx) {
        FaultInjector.Rule rule;
        try {
            rule = parse(ctx.bodyAsBytes(), faults.clock().instant());
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(Map.of("message", e.getMessage()));
            return;
        }
        faults.add(rule);
        ctx.status(201).json(json(rule));
    }

    public void clear(Context ctx) {
        int count = faults.rules().size();
        faults.clear();
        ctx.json(Map.of("cleared", count));
    }

    /** Parses a rule; times are relative to {@code now}. */
    static FaultInjector.Rule parse(byte[] body, Instant now) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object describing one rule.");
        }
        List<String> unknown = new ArrayList<>();
        node.propertyNames().forEach(name -> {
            if (!FIELDS.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown fields " + unknown + "; allowed: kind, share, fromSeconds,"
                    + " untilSeconds, pathContains, times, status, retryAfterSeconds, latencyMillis.");
        }
        FaultInjector.Kind kind = kind(node.get("kind"));
        double share = number(node, "share", 1.0);
        if (!(share >= 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException("share must be between 0 and 1: " + share);
        }
        Instant from = relative(node, "fromSeconds", now);
        Instant until = relative(node, "untilSeconds", now);
        if (from != null && until != null && !until.isAfter(from)) {
            throw new IllegalArgumentException("untilSeconds must be after fromSeconds.");
        }
        String pathContains = null;
        if (present(node, "pathContains")) {
            if (!node.get("pathContains").isString() || node.get("pathContains").asString().isEmpty()) {
                throw new IllegalArgumentException("pathContains must be a non-empty string.");
            }
            pathContains = node.get("pathContains").asString();
        }
        Integer times = null;
        if (present(node, "times")) {
            times = (int) integer(node, "times", 1);
            if (times < 1) {
                throw new IllegalArgumentException("times must be at least 1: " + times);
            }
        }
        int status;
        int retryAfter = 0;
        Duration latency = Duration.ZERO;
        switch (kind) {
            case THROTTLE -> {
                status = (int) integer(node, "status", 429);
                if (status != 429) {
                    throw new IllegalArgumentException("A THROTTLE rule answers 429; status " + status + " is not allowed.");
                }
                retryAfter = (int) integer(node, "retryAfterSeconds", 1);
                if (retryAfter < 0) {
                    throw new IllegalArgumentException("retryAfterSeconds must not be negative.");
                }
                notFor(node, kind, "latencyMillis");
            }
            case SERVER_ERROR -> {
                status = (int) integer(node, "status", 500);
                if (status < 500 || status > 599) {
                    throw new IllegalArgumentException("A SERVER_ERROR rule needs a status from 500 to 599: " + status);
                }
                notFor(node, kind, "retryAfterSeconds");
                notFor(node, kind, "latencyMillis");
            }
            case UNAUTHORIZED_SWITCH, FORBIDDEN, BAD_VALUE, ACCEPT_THEN_DROP -> {
                // fixed answers (see FaultInjector.Kind): nothing to configure
                status = switch (kind) {
                    case UNAUTHORIZED_SWITCH -> 401;
                    case FORBIDDEN -> 403;
                    case BAD_VALUE -> 400;
                    default -> 0; // no answer at all
                };
                notFor(node, kind, "status");
                notFor(node, kind, "retryAfterSeconds");
                notFor(node, kind, "latencyMillis");
            }
            default -> { // LATENCY, ACCEPT_THEN_HANG
                status = 200;
                if (!present(node, "latencyMillis")) {
                    throw new IllegalArgumentException("A " + kind + " rule needs latencyMillis.");
                }
                long millis = integer(node, "latencyMillis", 0);
                if (millis < 1 || millis > MAX_LATENCY_MILLIS) {
                    throw new IllegalArgumentException("latencyMillis must be from 1 to " + MAX_LATENCY_MILLIS + ": " + millis);
                }
                latency = Duration.ofMillis(millis);
                notFor(node, kind, "status");
                notFor(node, kind, "retryAfterSeconds");
            }
        }
        return new FaultInjector.Rule(kind, share, from, until, pathContains, status, retryAfter, latency, null, times);
    }

    /** A rule as JSON; HOLD rules (Java only) show up too. */
    static Map<String, Object> json(FaultInjector.Rule rule) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", rule.kind().name());
        json.put("share", rule.share());
        json.put("from", rule.from() == null ? null : rule.from().toString());
        json.put("until", rule.until() == null ? null : rule.until().toString());
        json.put("pathContains", rule.pathContains());
        json.put("times", rule.times());
        switch (rule.kind()) {
            case THROTTLE -> {
                json.put("status", 429);
                json.put("retryAfterSeconds", rule.retryAfterSeconds());
            }
            case SERVER_ERROR -> json.put("status", rule.status());
            case LATENCY, ACCEPT_THEN_HANG -> json.put("latencyMillis", rule.latency().toMillis());
            case UNAUTHORIZED_SWITCH, FORBIDDEN, BAD_VALUE -> json.put("status", rule.status());
            case HOLD, ACCEPT_THEN_DROP -> { }
        }
        return json;
    }

    private static FaultInjector.Kind kind(JsonNode value) {
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("kind is required: " + KINDS + ".");
        }
        try {
            FaultInjector.Kind kind = FaultInjector.Kind.valueOf(value.asString().toUpperCase(Locale.ROOT));
            if (kind != FaultInjector.Kind.HOLD) { // HOLD needs a latch: Java only
                return kind;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the message listing the kinds
        }
        throw new IllegalArgumentException("kind must be " + KINDS + ": " + value.asString());
    }

    private static boolean present(JsonNode node, String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    private static void notFor(JsonNode node, FaultInjector.Kind kind, String field) {
        if (present(node, field)) {
            throw new IllegalArgumentException(field + " does not apply to a " + kind + " rule.");
        }
    }

    private static double number(JsonNode node, String field, double fallback) {
        if (!present(node, field)) {
            return fallback;
        }
        if (!node.get(field).isNumber()) {
            throw new IllegalArgumentException(field + " must be a number.");
        }
        return node.get(field).asDouble();
    }

    private static long integer(JsonNode node, String field, long fallback) {
        if (!present(node, field)) {
            return fallback;
        }
        if (!node.get(field).isIntegralNumber() || !node.get(field).canConvertToInt()) {
            throw new IllegalArgumentException(field + " must be a whole number.");
        }
        return node.get(field).asLong();
    }

    private static Instant relative(JsonNode node, String field, Instant now) {
        if (!present(node, field)) {
            return null;
        }
        double seconds = number(node, field, 0);
        if (Math.abs(seconds) > 10L * 365 * 24 * 3600) {
            throw new IllegalArgumentException(field + " is out of range: " + seconds);
        }
        return now.plusMillis(Math.round(seconds * 1000));
    }
}
