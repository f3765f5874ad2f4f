package io.mlconnector.sim.powerbi;

import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET /sim/dashboard}: the firm's dashboard over a dataset the connector fills ({@link DashboardFigures}):
 * outstanding by aging bucket, payments by week, expenses by client and category, bills due and overdue, cash by
 * week and to date, across all businesses and for each. It reloads itself every few seconds, so changes show as
 * they stream in. {@code ?dataset=} picks a dataset; by default the newest with a {@code cash_movements} table.
 */
final class DashboardPage {
    static final String PATH = "/sim/dashboard";
    private static final int WEEKS_SHOWN = 8;
    private static final int REFRESH_SECONDS = 3;

    private final PushDatasetStore store;
    private final Clock clock;

    DashboardPage(PushDatasetStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    void page(Context ctx) {
        Optional<DatasetSummary> dataset = pick(ctx.queryParam("dataset"));
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<meta http-equiv=\"refresh\" content=\"" + REFRESH_SECONDS + "\"><title>Dashboard</title><style>"
                + "body{font-family:sans-serif;margin:1em 2em}section{display:inline-block;vertical-align:top;margin:0 2em 1em 0}"
                + "table{border-collapse:collapse;margin:0.3em 0 1em}td,th{border:1px solid #ccc;padding:2px 8px}"
                + "td.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>");
        if (dataset.isEmpty()) {
            html.append("<h1>Dashboard</h1><p id=\"empty\">No dataset with a cash_movements table yet.</p></body></html>");
            ctx.html(html.toString());
            return;
        }
        String id = dataset.get().id();
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        html.append("<h1>").append(escape(dataset.get().name())).append("</h1><p>As of ").append(today)
                .append(" (UTC); every figure is SUM(amount × sign) over the rows Power BI holds.</p>");
        section(html, "all", "All businesses", DashboardFigures.of(table -> rows(id, table), null, today));
        for (String tenant : tenants(id)) {
            section(html, tenant, "Business " + tenant, DashboardFigures.of(table -> rows(id, table), tenant, today));
        }
        ctx.html(html.append("</body></html>").toString());
    }

    private void section(StringBuilder html, String scope, String title, DashboardFigures figures) {
        html.append("<h2>").append(escape(title)).append("</h2>");
        html.append("<section><h3>Outstanding by days past due</h3><table>");
        for (String bucket : DashboardFigures.AGING_BUCKETS) {
            html.append("<tr><th>").append(bucket).append("</th><td class=\"n\" id=\"aging-").append(escape(scope))
                    .append("-").append(bucket).append("\">").append(money(figures.aging().get(bucket))).append("</td></tr>");
        }
        html.append("<tr><th>total</th><td class=\"n\">").append(money(figures.outstanding())).append("</td></tr></table>");
        html.append("<h3>Bills</h3><table><tr><th>due</th><td class=\"n\" id=\"bills-due-").append(escape(scope))
                .append("\">").append(money(figures.billsDue())).append("</td></tr><tr><th>overdue</th><td class=\"n\" id=\"bills-overdue-")
                .append(escape(scope)).append("\">").append(money(figures.billsOverdue())).append("</td></tr></table></section>");

        html.append("<section><h3>Cash by week</h3><table><tr><th>week of</th><th>in</th><th>out</th><th>net</th></tr>");
        lastWeeks(figures.cashByWeek()).forEach(e -> html.append("<tr><td>").append(e.getKey()).append("</td><td class=\"n\">")
                .append(money(e.getValue().in())).append("</td><td class=\"n\">").append(money(e.getValue().out()))
                .append("</td><td class=\"n\">").append(money(e.getValue().net())).append("</td></tr>"));
        html.append("<tr><th colspan=\"3\">cash position to date</th><td class=\"n\" id=\"cash-").append(escape(scope))
                .append("\">").append(money(figures.cashToDate())).append("</td></tr></table>");
        html.append("<h3>Payments by week</h3><table>");
        lastWeeks(figures.paymentsByWeek()).forEach(e -> html.append("<tr><td>").append(e.getKey())
                .append("</td><td class=\"n\">").append(money(e.getValue())).append("</td></tr>"));
        html.append("</table></section>");

        boolean acrossBusinesses = figures.tenant() == null;
        html.append("<section><h3>Expenses by client</h3>");
        amounts(html, figures.expensesByClient(), figures.names(), "(no client)", acrossBusinesses);
        html.append("<h3>Expenses by category</h3>");
        amounts(html, figures.expensesByCategory(), figures.names(), "(no category)", acrossBusinesses);
        html.append("</section>");
    }

    /**
     * The largest ten non-zero amounts, named by the dimension tables; across businesses each name carries its
     * business (keys are {@code tenant|id}: two businesses' "Meals" are two categories).
     */
    private static void amounts(StringBuilder html, Map<String, BigDecimal> byKey, Map<String, String> names, String none,
                                boolean withBusiness) {
        html.append("<table>");
        byKey.entrySet().stream().filter(e -> e.getValue().signum() != 0)
                .sorted(Map.Entry.<String, BigDecimal>comparingByValue().reversed()).limit(10)
                .forEach(e -> {
                    String key = e.getKey();
                    String name = key.isEmpty() ? none : names.getOrDefault(key, key);
                    String business = withBusiness && key.contains("|") ? " · " + key.substring(0, key.indexOf('|')) : "";
                    html.append("<tr><td>").append(escape(name + business)).append("</td><td class=\"n\">")
                            .append(money(e.getValue())).append("</td></tr>");
                });
        html.append("</table>");
    }

    private static <V> List<Map.Entry<LocalDate, V>> lastWeeks(Map<LocalDate, V> byWeek) {
        List<Map.Entry<LocalDate, V>> weeks = List.copyOf(byWeek.entrySet());
        return weeks.subList(Math.max(0, weeks.size() - WEEKS_SHOWN), weeks.size());
    }

    private Optional<DatasetSummary> pick(String datasetId) {
        return store.allDatasets().stream()
                .filter(d -> datasetId == null ? d.rowCounts().containsKey("cash_movements") : d.id().equals(datasetId))
                .max(Comparator.comparing(DatasetSummary::createdAt));
    }

    private List<Map<String, Object>> rows(String datasetId, String table) {
        if (store.definition(datasetId).flatMap(d -> d.table(table)).isEmpty()) {
            return List.of();
        }
        return store.storedRows(datasetId, table).stream().map(StoredRow::values).toList();
    }

    private TreeSet<String> tenants(String datasetId) {
        TreeSet<String> tenants = new TreeSet<>();
        for (String table : List.of("invoices", "payments", "expenses", "bills", "clients")) {
            rows(datasetId, table).forEach(r -> {
                if (r.get("tenant") != null) {
                    tenants.add(r.get("tenant").toString());
                }
            });
        }
        return tenants;
    }

    private static String money(BigDecimal amount) {
        return String.format("%,.2f", amount.setScale(2, RoundingMode.HALF_UP));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
