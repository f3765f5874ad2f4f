package io.mlconnector.pipeline.reconcile;

import io.mlconnector.pipeline.reconcile.ControlTotals.Result;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Difference;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The {@code control_totals} table (V9): the latest check of a route, one row per table and tenant. */
final class ControlTotalsStore {
    private static final int MAX_DIFFERENCES_JSON = 4000;
    private static final int MAX_DETAIL = 2000;

    private final Jdbi jdbi;
    private final JsonMapper json;

    ControlTotalsStore(Jdbi jdbi, JsonMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    /** Replaces the route's previous check with {@code results}, in one transaction. */
    void replace(String route, List<Result> results) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM control_totals WHERE route = :route").bind("route", route).execute();
            for (Result r : results) {
                h.createUpdate("""
                                INSERT INTO control_totals (route, table_name, tenant_id, verdict, ledger_count, powerbi_count,
                                                            differences_json, detail, differing_checks, checked_at)
                                VALUES (:route, :table, :tenant, :verdict, :ledger, :powerBi, :differences, :detail,
                                        :differing, :at)""")
                        .bind("route", route).bind("table", r.table()).bind("tenant", r.tenant())
                        .bind("verdict", r.verdict().name().toLowerCase(Locale.ROOT))
                        .bind("ledger", r.ledgerCount()).bindByType("powerBi", r.powerBiCount(), Long.class)
                        .bind("differences", differencesJson(r.differences()))
                        .bind("detail", clip(r.detail(), MAX_DETAIL)).bind("differing", r.differingChecks())
                        .bind("at", r.checkedAt())
                        .execute();
            }
        });
    }

    /** The route's latest check, by table and tenant; empty before the first. */
    List<Result> latest(String route) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM control_totals WHERE route = :route ORDER BY table_name, tenant_id")
                .bind("route", route)
                .map((rs, ctx) -> new Result(rs.getString("table_name"), rs.getString("tenant_id"),
                        Verdict.valueOf(rs.getString("verdict").toUpperCase(Locale.ROOT)), rs.getLong("ledger_count"),
                        rs.getObject("powerbi_count", Long.class), parseDifferences(rs.getString("differences_json")),
                        rs.getString("detail"), rs.getInt("differing_checks"),
                        rs.getObject("checked_at", OffsetDateTime.class).toInstant()))
                .list());
    }

    /** The differences as JSON, as many as fit the column (a table has a count and a few money columns). */
    private String differencesJson(List<Difference> differences) {
        ArrayNode array = json.createArrayNode();
        for (Difference d : differences) {
            ObjectNode node = json.createObjectNode();
            node.put("measure", d.measure());
            node.put("ledger", d.ledger().toPlainString());
            node.put("powerBi", d.powerBi().toPlainString());
            array.add(node);
            if (json.writeValueAsString(array).length() > MAX_DIFFERENCES_JSON) {
                array.remove(array.size() - 1);
                break;
            }
        }
        return json.writeValueAsString(array);
    }

    private List<Difference> parseDifferences(String text) {
        List<Difference> differences = new ArrayList<>();
        for (JsonNode node : json.readTree(text)) {
            differences.add(new Difference(node.path("measure").asString(), new BigDecimal(node.path("ledger").asString()),
                    new BigDecimal(node.path("powerBi").asString())));
        }
        return differences;
    }

    private static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
