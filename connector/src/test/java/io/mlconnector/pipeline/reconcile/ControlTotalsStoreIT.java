package io.mlconnector.pipeline.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.pipeline.reconcile.ControlTotals.Result;
import io.mlconnector.pipeline.reconcile.LedgerTotals.TableState;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Difference;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Totals;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** V9's {@code control_totals} and the ledger's side of the totals, on H2 and PostgreSQL. */
class ControlTotalsStoreIT {
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private Database open(String store) {
        return store.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theLatestCheckReplacesThePreviousOneAndReadsBackAsWritten(String store) {
        try (Database database = open(store)) {
            ControlTotalsStore totals = new ControlTotalsStore(database.jdbi(), PipelineJson.mapper());
            totals.replace("default", List.of(new Result("payments", "ACM", Verdict.MATCH, 3, 3L, List.of(), null, 0, AT)));
            Result differs = new Result("invoices", "ACM", Verdict.DIFFERS, 12, 11L,
                    List.of(new Difference("count", new BigDecimal("12"), new BigDecimal("11")),
                            new Difference("amount", new BigDecimal("1200.50"), new BigDecimal("1100.0000"))),
                    "differs in 2 checks in a row: rebuilding", 2, AT);
            Result catchingUp = new Result("invoices", "GLX", Verdict.CATCHING_UP, 4, null, List.of(), "3 rows not in"
                    + " Power BI yet", 0, AT);
            totals.replace("default", List.of(differs, catchingUp));
            totals.replace("other", List.of(new Result("bills", "X", Verdict.UNAVAILABLE, 1, null, List.of(), "401", 0, AT)));

            assertThat(totals.latest("default")).containsExactly(differs, catchingUp);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theLedgerSideCountsCurrentRowsAndSumsMoneyPerTenantAndTable(String store) {
        try (Database database = open(store)) {
            database.jdbi().useHandle(h -> {
                ledger(h, "ACM", "invoice", "1", """
                        [{"table":"invoices","key":"1","values":{"amount":100.25,"status":"paid"}},
                         {"table":"invoice_lines","key":"1|1","values":{"amount":60.25}},
                         {"table":"invoice_lines","key":"1|2","values":{"amount":40}}]""");
                ledger(h, "ACM", "invoice", "2", "[{\"table\":\"invoices\",\"key\":\"2\",\"values\":{\"amount\":\"0.75\"}}]");
                ledger(h, "ACM", "invoice", "3", "[]"); // deleted: no current rows
                ledger(h, "GLX", "invoice", "1", "[{\"table\":\"invoices\",\"key\":\"1\",\"values\":{\"amount\":null}}]");
                h.execute("INSERT INTO outbox_row (route, table_name, tenant_id, object_type, object_id, row_key, sign,"
                        + " values_json, cause, created_at) VALUES ('default', 'invoices', 'ACM', 'invoice', '2', '2', 1,"
                        + " '{}', 'test', CURRENT_TIMESTAMP)");
            });
            LedgerTotals ledger = new LedgerTotals(database.jdbi(), PipelineJson.mapper());

            Map<String, Map<String, Totals>> totals = ledger.read(Map.of("invoices", List.of("amount"),
                    "invoice_lines", List.of("amount")));

            assertThat(totals.get("invoices").get("ACM").count()).isEqualTo(2);
            assertThat(totals.get("invoices").get("ACM").sum("amount")).isEqualByComparingTo("101.00");
            assertThat(totals.get("invoices").get("GLX").count()).isEqualTo(1);
            assertThat(totals.get("invoices").get("GLX").sum("amount")).isEqualByComparingTo("0");
            assertThat(totals.get("invoice_lines").get("ACM").count()).isEqualTo(2);
            assertThat(totals.get("invoice_lines").get("ACM").sum("amount")).isEqualByComparingTo("100.25");
            assertThat(ledger.states("default").get("invoices")).satisfies(s -> {
                assertThat(s.unsentRows()).as("an unbatched row").isEqualTo(1);
                assertThat(s.rebuildPending()).isFalse();
            });
            assertThat(ledger.states("default")).doesNotContainKey("payments");
            assertThat(ledger.states("default").getOrDefault("payments", TableState.EMPTY).unsentRows()).isZero();
        }
    }

    private static void ledger(org.jdbi.v3.core.Handle h, String tenant, String type, String id, String rows) {
        h.createUpdate("""
                        INSERT INTO ledger_entry (tenant_id, object_type, object_id, deleted, rows_json, updated_at)
                        VALUES (:tenant, :type, :id, :deleted, :rows, CURRENT_TIMESTAMP)""")
                .bind("tenant", tenant).bind("type", type).bind("id", id).bind("deleted", rows.equals("[]"))
                .bind("rows", rows).execute();
    }
}
