package io.mlconnector.sim.powerbi;

import io.javalin.http.Context;
import io.mlconnector.sim.common.FaultControl;
import io.mlconnector.sim.common.FaultInjector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulator's own views ({@code /sim}): what the datasets hold, as JSON and as a small page that also documents
 * the fault control API ({@link FaultControl}) and lists the current rules.
 */
final class SimInspector {
    private static final int DEFAULT_LIMIT = 100;

    private final PushDatasetStore store;
    private final List<PostRowsRecord> postRowsLog;
    private final FaultInjector faults;

    SimInspector(PushDatasetStore store, List<PostRowsRecord> postRowsLog, FaultInjector faults) {
        this.store = store;
        this.postRowsLog = postRowsLog;
        this.faults = faults;
    }

    void datasets(Context ctx) {
        ctx.json(store.allDatasets().stream().map(this::datasetJson).toList());
    }

    void rows(Context ctx) {
        String datasetId = ctx.pathParam("datasetId");
        String table = ctx.pathParam("tableName");
        if (store.definition(datasetId).flatMap(d -> d.table(table)).isEmpty()) {
            ctx.status(404).json(Map.of("message", "no table '" + table + "' in dataset " + datasetId));
            return;
        }
        List<StoredRow> rows = store.storedRows(datasetId, table);
        int offset = Math.max(0, intParam(ctx, "offset", 0));
        int limit = Math.max(0, intParam(ctx, "limit", DEFAULT_LIMIT));
        List<StoredRow> page = rows.subList(Math.min(offset, rows.size()), Math.min(rows.size(), offset + limit));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", rows.size());
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("rows", page);
        ctx.json(body);
    }

    void postRowsLog(Context ctx) {
        ctx.json(List.copyOf(postRowsLog));
    }

    void page(Context ctx) {
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\">"
                + "<title>Power BI simulator</title><style>body{font-family:sans-serif;margin:2em}"
                + "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;"
                + "text-align:left}</style></head><body><h1>Power BI simulator</h1>");
        List<DatasetSummary> datasets = store.allDatasets();
        if (datasets.isEmpty()) {
            html.append("<p>No datasets yet.</p>");
        }
        for (DatasetSummary dataset : datasets) {
            html.append("<h2>").append(escape(dataset.name())).append("</h2><p>id ").append(escape(dataset.id()))
                    .append(", workspace ").append(escape(dataset.groupId())).append(", retention ")
                    .append(dataset.retention().apiName()).append("</p><table><tr><th>table</th><th>rows</th>"
                            + "<th>sequence numbers (app id: highest applied)</th></tr>");
            dataset.rowCounts().forEach((table, count) -> html.append("<tr><td><a href=\"/sim/datasets/")
                    .append(escape(dataset.id())).append("/tables/").append(escape(urlEncode(table)))
                    .append("/rows\">").append(escape(table)).append("</a></td><td>").append(count).append("</td><td>")
                    .append(escape(store.keptSequenceNumbers(dataset.id(), table).toString())).append("</td></tr>"));
            html.append("</table>");
        }
        html.append("<p>").append(postRowsLog.size()).append(" POST rows requests received, ")
                .append(postRowsLog.stream().filter(PostRowsRecord::applied).count()).append(" applied (")
                .append("<a href=\"/sim/post-rows-log\">log</a>: status, applied, sequenceNumber, batchIds, fault of each).</p>");
        PowerBiSettings settings = store.settings();
        html.append("<h2>Switches</h2><ul><li>Push sequence numbers (header <code>")
                .append(PowerBiSimulator.SEQUENCE_NUMBER_HEADER).append("</code>, GET <code>…/tables/{table}/sequenceNumbers"
                        + "</code>): ").append(settings.sequenceNumbers() ? "honoured; a number not above the kept one"
                        + " is answered " + settings.staleSequenceStatus() + " with nothing written"
                        : "ignored (rows always applied, GET sequenceNumbers 404)")
                .append("</li><li>Execute Queries (<code>POST …/datasets/{id}/executeQueries</code>, 120 requests/min per"
                        + " caller): ").append(settings.executeQueries() ? "on" : "off (401, tenant setting disabled)")
                .append("; DAX shapes: <code>EVALUATE ROW(\"n\", COUNTROWS(FILTER('t', 't'[c] = \"v\")))</code>, and ROW"
                        + " of <code>SUM('t'[c])</code> / <code>SUMX('t' or FILTER(…), 't'[a] * 't'[b])</code>; anything"
                        + " else 400 DatasetExecuteQueriesError.</li></ul>");
        faultSection(html);
        html.append("</body></html>");
        ctx.html(html.toString());
    }

    private void faultSection(StringBuilder html) {
        List<FaultInjector.Rule> rules = faults.rules();
        html.append("<h2>Faults</h2><p>").append(rules.size()).append(" rule(s) active, ")
                .append(faults.injected().size()).append(" fault(s) injected so far (<a href=\"")
                .append(FaultControl.PATH).append("\">").append(FaultControl.PATH).append("</a>).</p>");
        if (!rules.isEmpty()) {
            html.append("<table><tr><th>kind</th><th>share</th><th>times (hit so far)</th><th>from</th><th>until</th>"
                    + "<th>path contains</th><th>status</th><th>Retry-After</th><th>latency ms</th></tr>");
            List<Integer> hits = faults.hits();
            for (int i = 0; i < rules.size(); i++) {
                FaultInjector.Rule rule = rules.get(i);
                FaultInjector.Kind kind = rule.kind();
                html.append("<tr><td>").append(kind).append("</td><td>").append(rule.share())
                        .append("</td><td>").append(rule.times() == null ? "any" : rule.times())
                        .append(" (").append(i < hits.size() ? hits.get(i) : 0).append(")")
                        .append("</td><td>").append(rule.from() == null ? "" : rule.from())
                        .append("</td><td>").append(rule.until() == null ? "" : rule.until())
                        .append("</td><td>").append(rule.pathContains() == null ? "" : escape(rule.pathContains()))
                        .append("</td><td>").append(kind == FaultInjector.Kind.SERVER_ERROR
                                || kind == FaultInjector.Kind.THROTTLE || kind == FaultInjector.Kind.UNAUTHORIZED_SWITCH
                                || kind == FaultInjector.Kind.FORBIDDEN || kind == FaultInjector.Kind.BAD_VALUE
                                ? String.valueOf(rule.status()) : "")
                        .append("</td><td>").append(kind == FaultInjector.Kind.THROTTLE
                                ? String.valueOf(rule.retryAfterSeconds()) : "")
                        .append("</td><td>").append(kind == FaultInjector.Kind.LATENCY
                                || kind == FaultInjector.Kind.ACCEPT_THEN_HANG ? String.valueOf(rule.latency().toMillis()) : "")
                        .append("</td></tr>");
            }
            html.append("</table>");
        }
        html.append("""
                <h3>Fault control API</h3>
                <p>Faults apply to the REST API (<code>/v1.0/…</code>), never to <code>/sim</code> paths. Rules are
                tried in order; the first that matches the path and the clock window, wins its <code>share</code>
                roll and has <code>times</code> left answers the request (LATENCY delays it, then the request goes
                on). A rule of a kind an endpoint cannot carry out (e.g. ACCEPT_THEN_DROP on a GET) is skipped there
                and not used up.</p>
                <ul>
                <li><code>GET /sim/faults</code> lists the rules: <code>{"now":…,"rules":[…],"injected":n}</code>.</li>
                <li><code>POST /sim/faults</code> adds a rule (201, the rule as stored), body e.g.
                <code>{"kind":"THROTTLE","share":1,"fromSeconds":0,"untilSeconds":60,"pathContains":"/rows",
                "retryAfterSeconds":30}</code>.</li>
                <li><code>DELETE /sim/faults</code> clears every rule: <code>{"cleared":n}</code>.</li>
                </ul>
                <table><tr><th>field</th><th>meaning</th></tr>
                <tr><td>kind</td><td>required: <code>THROTTLE</code> (429 + Retry-After), <code>SERVER_ERROR</code>
                (5xx), <code>LATENCY</code> (slow answer); every endpoint also <code>UNAUTHORIZED_SWITCH</code> (401
                ServicePrincipalIsNotAllowedByTenantAdminSwitch) and <code>FORBIDDEN</code> (403
                PowerBINotAuthorizedException); POST rows also <code>BAD_VALUE</code> (400 about a row value),
                <code>ACCEPT_THEN_DROP</code> (rows applied, then the connection is closed with no answer) and
                <code>ACCEPT_THEN_HANG</code> (rows applied, the 200 held for latencyMillis). Refusals write
                nothing.</td></tr>
                <tr><td>share</td><td>probability 0..1 that a matching request is hit (default 1; seeded)</td></tr>
                <tr><td>fromSeconds, untilSeconds</td><td>window in seconds relative to the simulator's clock now
                (absent = open); stored as absolute instants</td></tr>
                <tr><td>pathContains</td><td>only paths containing this text (absent = every path)</td></tr>
                <tr><td>times</td><td>only the next n requests the rule hits, e.g. 1 (absent = no limit)</td></tr>
                <tr><td>status</td><td>SERVER_ERROR: 500..599 (default 500); THROTTLE: 429</td></tr>
                <tr><td>retryAfterSeconds</td><td>THROTTLE only, the Retry-After header (default 1)</td></tr>
                <tr><td>latencyMillis</td><td>LATENCY and ACCEPT_THEN_HANG only, required, 1..""").append(FaultControl.MAX_LATENCY_MILLIS)
                .append("""
                </td></tr></table>
                <p>Invalid rules get 400 <code>{"message":…}</code>. The Entra ID simulator has the same API at
                <code>https://localhost:{its port}/sim/faults</code>.</p>
                <p>Example: <code>curl -X POST -H 'Content-Type: application/json'
                -d '{"kind":"SERVER_ERROR","status":503,"share":0.2}' http://localhost:{port}/sim/faults</code></p>
                """);
    }

    private Map<String, Object> datasetJson(DatasetSummary dataset) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", dataset.id());
        json.put("groupId", dataset.groupId());
        json.put("name", dataset.name());
        json.put("defaultRetentionPolicy", dataset.retention().apiName());
        json.put("configuredBy", dataset.configuredBy());
        json.put("tables", store.definition(dataset.id()).map(d -> d.tables().stream().map(t -> {
            Map<String, Object> table = PowerBiSimulator.tableJson(t);
            table.put("rowCount", dataset.rowCounts().getOrDefault(t.name(), 0));
            return table;
        }).toList()).orElse(List.of()));
        return json;
    }

    private static int intParam(Context ctx, String name, int fallback) {
        String value = ctx.queryParam(name);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
