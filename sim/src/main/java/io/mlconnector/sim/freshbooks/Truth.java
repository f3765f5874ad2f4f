package io.mlconnector.sim.freshbooks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The current truth of one business: per-table control totals keyed by table name (invoices, invoice_lines, …). */
public record Truth(String accountId, Map<String, TableTotals> tables) {

    public Truth {
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public TableTotals table(String name) {
        TableTotals t = tables.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no table " + name);
        }
        return t;
    }
}
