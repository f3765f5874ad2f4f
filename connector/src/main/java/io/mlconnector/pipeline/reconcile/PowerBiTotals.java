package io.mlconnector.pipeline.reconcile;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Totals;
import io.mlconnector.powerbi.PushDatasetClient;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Power BI's side of the control totals through Execute Queries (powerbi-api.md §8): per tenant,
 * {@code SUM(sign)} and {@code SUM(column × sign)} of each money column, several tenants in one
 * {@code EVALUATE ROW(…)} so a check costs about one query per table (the service allows 120 a minute).
 */
final class PowerBiTotals {
    /** Tenants per query: keeps a query's text and its one result row small. */
    static final int TENANTS_PER_QUERY = 20;

    private final PushDatasetClient client;

    PowerBiTotals(PushDatasetClient client) {
        this.client = client;
    }

    /** @throws RuntimeException as {@link PushDatasetClient#executeQuery} does */
    Map<String, Totals> query(String workspaceId, String datasetId, String table, List<String> moneyColumns,
                              List<String> tenants) {
        Map<String, Totals> totals = new HashMap<>();
        for (int from = 0; from < tenants.size(); from += TENANTS_PER_QUERY) {
            List<String> chunk = tenants.subList(from, Math.min(tenants.size(), from + TENANTS_PER_QUERY));
            List<JsonNode> rows = client.executeQuery(workspaceId, datasetId, dax(table, moneyColumns, chunk));
            JsonNode row = rows.isEmpty() ? null : rows.get(0);
            for (int i = 0; i < chunk.size(); i++) {
                Map<String, BigDecimal> sums = new HashMap<>();
                for (int c = 0; c < moneyColumns.size(); c++) {
                    sums.put(moneyColumns.get(c), number(row, "[s" + i + "_" + c + "]"));
                }
                totals.put(chunk.get(i), new Totals(number(row, "[n" + i + "]").longValueExact(), sums));
            }
        }
        return totals;
    }

    /** The query for one chunk of tenants: {@code "n<i>"} their SUM(sign), {@code "s<i>_<c>"} their SUM(column × sign). */
    static String dax(String table, List<String> moneyColumns, List<String> tenants) {
        String t = PushDatasetClient.daxTable(table);
        String sign = column(table, DatasetModel.SIGN);
        StringBuilder dax = new StringBuilder("EVALUATE ROW(");
        for (int i = 0; i < tenants.size(); i++) {
            String rows = "FILTER(" + t + ", " + column(table, DatasetModel.TENANT) + " = "
                    + PushDatasetClient.daxString(tenants.get(i)) + ")";
            dax.append(i == 0 ? "" : ", ").append("\"n").append(i).append("\", SUMX(").append(rows).append(", ")
                    .append(sign).append(')');
            for (int c = 0; c < moneyColumns.size(); c++) {
                dax.append(", \"s").append(i).append('_').append(c).append("\", SUMX(").append(rows).append(", ")
                        .append(column(table, moneyColumns.get(c))).append(" * ").append(sign).append(')');
            }
        }
        return dax.append(')').toString();
    }

    private static String column(String table, String column) {
        return PushDatasetClient.daxTable(table) + "[" + column.replace("]", "]]") + "]";
    }

    /** A sum over no rows is BLANK: null with includeNulls, or left out; either is 0 here. */
    private static BigDecimal number(JsonNode row, String key) {
        JsonNode value = row == null ? null : row.get(key);
        if (value == null || value.isNull()) {
            return BigDecimal.ZERO;
        }
        return value.isNumber() ? value.decimalValue() : new BigDecimal(value.asString());
    }
}
