package io.mlconnector.pipeline.reconcile;

import io.mlconnector.pipeline.LedgerDiff;
import io.mlconnector.pipeline.SignedRowLedger;

import io.mlconnector.pipeline.reconcile.TotalsComparison.Totals;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The connector's side of the control totals, read from the store: the ledger's current +1 rows per tenant and
 * table (each {@code ledger_entry.rows_json} holds a record's rows as last pushed), and per table what has not
 * reached Power BI yet.
 */
final class LedgerTotals {
    private final Jdbi jdbi;
    private final JsonMapper json;

    LedgerTotals(Jdbi jdbi, JsonMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    /**
     * A table's state in the outbox. Two equal states taken before and after a check mean nothing was written for the
     * table or sent to it in between (a write adds a row with a higher id; a send grows {@code rowsInTable}).
     */
    record TableState(long unsentRows, boolean rebuildPending, long rowsInTable, long lastRowId) {
        static final TableState EMPTY = new TableState(0, false, 0, 0);
    }

    /** @param moneyColumns per table of interest, its money columns; rows of other tables are skipped */
    Map<String, Map<String, Totals>> read(Map<String, List<String>> moneyColumns) {
        Map<String, Map<String, Sums>> byTable = new HashMap<>();
        jdbi.useTransaction(h -> h.createQuery("SELECT tenant_id, rows_json FROM ledger_entry")
                .setFetchSize(500) // streamed: the whole ledger is read, one record at a time
                .map((rs, ctx) -> {
                    String tenant = rs.getString(1);
                    for (LedgerDiff.LedgerRow row : SignedRowLedger.rowsOf(json, rs.getString(2))) {
                        List<String> columns = moneyColumns.get(row.table());
                        if (columns != null) {
                            byTable.computeIfAbsent(row.table(), t -> new HashMap<>())
                                    .computeIfAbsent(tenant, t -> new Sums()).add(row.values(), columns);
                        }
                    }
                    return tenant;
                })
                .forEach(tenant -> { }));
        Map<String, Map<String, Totals>> totals = new HashMap<>();
        byTable.forEach((table, tenants) -> {
            Map<String, Totals> ofTable = new HashMap<>();
            tenants.forEach((tenant, sums) -> ofTable.put(tenant, new Totals(sums.count, sums.sums)));
            totals.put(table, ofTable);
        });
        return totals;
    }

    /** Per table of the route: unsent rows (the outbox's own definition), a pending rebuild, rows held, last row id. */
    Map<String, TableState> states(String route) {
        return jdbi.withHandle(h -> {
            Map<String, Long> unsent = new HashMap<>();
            h.createQuery("""
                            SELECT r.table_name, COUNT(*) FROM outbox_row r LEFT JOIN outbox_batch b ON r.batch_id = b.batch_id
                            WHERE r.route = :route AND (r.batch_id IS NULL OR b.state NOT IN ('sent', 'superseded', 'split'))
                            GROUP BY r.table_name""")
                    .bind("route", route)
                    .map((rs, ctx) -> unsent.put(rs.getString(1), rs.getLong(2))).list();
            Map<String, Long> lastIds = new HashMap<>();
            h.createQuery("SELECT table_name, MAX(id) FROM outbox_row WHERE route = :route GROUP BY table_name")
                    .bind("route", route)
                    .map((rs, ctx) -> lastIds.put(rs.getString(1), rs.getLong(2))).list();
            Map<String, Long> held = new HashMap<>();
            h.createQuery("SELECT table_name, rows_in_table FROM push_table WHERE route = :route")
                    .bind("route", route)
                    .map((rs, ctx) -> held.put(rs.getString(1), rs.getLong(2))).list();
            List<String> rebuilding = h.createQuery("SELECT table_name FROM table_rebuild WHERE route = :route")
                    .bind("route", route).mapTo(String.class).list();
            Map<String, TableState> states = new HashMap<>();
            java.util.Set<String> tables = new java.util.HashSet<>(unsent.keySet());
            tables.addAll(lastIds.keySet());
            tables.addAll(held.keySet());
            tables.addAll(rebuilding);
            for (String table : tables) {
                states.put(table, new TableState(unsent.getOrDefault(table, 0L), rebuilding.contains(table),
                        held.getOrDefault(table, 0L), lastIds.getOrDefault(table, 0L)));
            }
            return states;
        });
    }

    /** Running totals of one tenant's rows in one table. */
    private static final class Sums {
        long count;
        final Map<String, BigDecimal> sums = new HashMap<>();

        void add(JsonNode values, List<String> columns) {
            count++;
            for (String column : columns) {
                BigDecimal value = decimal(values.get(column));
                if (value != null) {
                    sums.merge(column, value, BigDecimal::add);
                }
            }
        }

        private static BigDecimal decimal(JsonNode node) {
            if (node == null || node.isNull()) {
                return null;
            }
            return node.isNumber() ? node.decimalValue() : new BigDecimal(node.asString());
        }
    }
}
