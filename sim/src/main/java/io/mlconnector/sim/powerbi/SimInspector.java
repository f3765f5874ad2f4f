package io.mlconnector.sim.powerbi;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The simulator's own read-only views ({@code /sim}): what the datasets hold, as JSON and as a small page. */
final class SimInspector {
    private static final int DEFAULT_LIMIT = 100;

    private final PushDatasetStore store;
    private final List<PostRowsRecord> postRowsLog;

    SimInspector(PushDatasetStore store, List<PostRowsRecord> postRowsLog) {
        this.store = store;
        this.postRowsLog = postRowsLog;
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
                    .append(dataset.retention().apiName()).append("</p><table><tr><th>table</th><th>rows</th></tr>");
            dataset.rowCounts().forEach((table, count) -> html.append("<tr><td><a href=\"/sim/datasets/")
                    .append(escape(dataset.id())).append("/tables/").append(escape(urlEncode(table)))
                    .append("/rows\">").append(escape(table)).append("</a></td><td>").append(count).append("</td></tr>"));
            html.append("</table>");
        }
        html.append("<p>").append(postRowsLog.size()).append(" POST rows requests received (")
                .append("<a href=\"/sim/post-rows-log\">log</a>).</p></body></html>");
        ctx.html(html.toString());
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
