package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.app.Operations;
import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.pipeline.TableRebuilds;
import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.pipeline.SweepRuns;
import io.mlconnector.pipeline.reconcile.ControlTotals;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Difference;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.Tenant.TenantStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The status summary from the JSON the status API writes (an {@link Operations.Status} through the API's mapper). */
class StatusReportTest {
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void everythingThatNeedsAHandIsListedWithItsFix() {
        Operations.Status status = new Operations.Status(AT, "ws-1", "ds-1",
                List.of(tenant("a1", "Acme", TenantStatus.ACTIVE, null),
                        tenant("i3", "Initech", TenantStatus.NEEDS_REAUTHORIZATION,
                                "FreshBooks refused the refresh token (invalid_grant)")),
                12_345, 7, 1_234_567, 42, AT.minus(Duration.ofSeconds(125)),
                List.of(new Outbox.Batch("b-9", "default", "invoices", 500, 1, AT, AT, "quarantined",
                        "400 BadRequest: string longer than 4000 characters", 17L, 40L, "a-1")),
                List.of(new SchemaGuard.Verdict("invoices", false, null, null, AT),
                        new SchemaGuard.Verdict("payments", true, "400 column 'payment_type' not found",
                                "mlc dataset sync (puts the table's schema from the model)", AT)),
                new PushRoutes.Route("default", "ws-1", "FreshBooks", "ds-1", 1, "401 PowerBINotAuthorizedException",
                        "add the service principal to the workspace", AT.minusSeconds(60), PushRoutes.Resolver.SEQUENCE_NUMBERS),
                List.of(new TableRebuilds.Rebuild("payments", "outcome of batch b-7 unknown", AT)), List.of(),
                List.of(new SweepRuns.LastRun("a1", AT.minusSeconds(200), AT.minusSeconds(125), 494, List.of("payment"))),
                new InboxQueue.DeadLetters(3, List.of(
                        new InboxQueue.DeadLetter("a1", "invoice:42", 10, "FreshBooks answered 500 to GET /accounting/"
                                + "account/a1/invoices/invoices/42: Internal error", AT.minusSeconds(30),
                                "mlc replay --tenant a1 --record invoice:42"),
                        new InboxQueue.DeadLetter("a1", "widget:7", 10, "java.lang.IllegalArgumentException: not a record"
                                + " type the connector reads: widget", AT.minusSeconds(90), "mlc replay --dead-letters --tenant a1"))), "host-1", List.of());

        assertThat(StatusReport.render(json(status))).containsExactly(
                "ml-connector status at 2026-03-01T10:00:00Z: dataset ds-1 in workspace ws-1",
                "Tenants: 2",
                "  Acme (a1): active",
                "  Initech (i3): needs_reauthorization: FreshBooks refused the refresh token (invalid_grant)",
                "Last sweep (finds what webhooks missed): a1 2m 05s ago (494 records, failed: payment); i3 none yet",
                "Events: 12,345 received, 7 pending",
                "Rows: 1,234,567 pushed, 42 waiting; oldest waiting: 2m 05s (since 2026-03-01T09:57:55Z)",
                "Power BI: PAUSED since 2026-03-01T09:59:00Z: 401 PowerBINotAuthorizedException",
                "  fix: add the service principal to the workspace",
                "  rebuilding payments from the ledger: outcome of batch b-7 unknown",
                "Blocked tables: 1",
                "  payments: 400 column 'payment_type' not found",
                "    fix: mlc dataset sync (puts the table's schema from the model)",
                "Quarantined batches: 1 (after fixing the cause: mlc replay <batch id>)",
                "  b-9  invoices (500 rows): 400 BadRequest: string longer than 4000 characters",
                "Dead letters (records whose fetch kept failing): 3 (after fixing the cause: mlc replay --dead-letters)",
                "  a1 invoice:42 (10 attempts, since 2026-03-01T09:59:30Z): FreshBooks answered 500 to GET"
                        + " /accounting/account/a1/invoices/invoices/42: Internal error",
                "    fix: mlc replay --tenant a1 --record invoice:42",
                "  a1 widget:7 (10 attempts, since 2026-03-01T09:58:30Z): java.lang.IllegalArgumentException: not a"
                        + " record type the connector reads: widget",
                "    fix: mlc replay --dead-letters --tenant a1",
                "  … and 1 more",
                "Control totals: not checked yet");
    }

    @Test
    void aQuietConnectorSaysSoInFewLines() {
        Operations.Status status = new Operations.Status(AT, "ws-1", null, List.of(), 0, 0, 0, 0, null,
                List.of(), List.of(), null, List.of(), List.of(), List.of(), new InboxQueue.DeadLetters(0, List.of()), "host-1", List.of());

        assertThat(StatusReport.render(json(status))).containsExactly(
                "ml-connector status at 2026-03-01T10:00:00Z: dataset - in workspace ws-1",
                "Tenants: none connected (connect a business: mlc connect freshbooks)",
                "Events: 0 received, 0 pending",
                "Rows: 0 pushed, 0 waiting; oldest waiting: nothing waits",
                "Power BI: not reached yet",
                "Blocked tables: none",
                "Quarantined batches: none",
                "Dead letters (records whose fetch kept failing): none",
                "Control totals: not checked yet");
    }

    @Test
    void controlTotalsSayHowManyMatchAndListEachTableThatDiffers() {
        Instant checked = AT.minusSeconds(120);
        List<ControlTotals.Result> totals = new java.util.ArrayList<>();
        for (int i = 0; i < 27; i++) {
            totals.add(result("table" + i, "ACM123", Verdict.MATCH, 5, 5L, List.of(), null, 0, checked));
        }
        totals.add(result("invoices", "ACM123", Verdict.DIFFERS, 12, 13L, List.of(
                        new Difference("count", new BigDecimal("12"), new BigDecimal("13")),
                        new Difference("amount", new BigDecimal("1200.00"), new BigDecimal("1250.50"))),
                "differs in 2 checks in a row: rebuilding the table from the ledger", 2, checked));
        totals.add(result("payments", "ACM123", Verdict.CATCHING_UP, 4, null, List.of(), "3 rows not in Power BI yet", 0,
                checked));
        totals.add(result("payments", "GLX456", Verdict.CATCHING_UP, 1, null, List.of(), "3 rows not in Power BI yet", 0,
                checked));

        assertThat(StatusReport.render(json(quietWith(totals)))).endsWith(
                "Control totals (ledger vs Power BI): 27 match, 1 differs, 2 catching up (payments); checked 2m 00s ago",
                "  invoices ACM123: count 12 vs 13, amount 1200.00 vs 1250.50; differs in 2 checks in a row: rebuilding"
                        + " the table from the ledger");
    }

    @Test
    void controlTotalsPowerBiCannotBeAskedIsOneLine() {
        List<ControlTotals.Result> totals = List.of(
                result("invoices", "ACM123", Verdict.UNAVAILABLE, 12, null, List.of(),
                        "Execute Queries answered 401 PowerBINotAuthorizedException: tenant setting off", 0, AT),
                result("payments", "ACM123", Verdict.UNAVAILABLE, 3, null, List.of(),
                        "Execute Queries answered 401 PowerBINotAuthorizedException: tenant setting off", 0, AT));

        assertThat(StatusReport.render(json(quietWith(totals)))).endsWith(
                "Control totals (ledger vs Power BI): 2 not compared; checked 0s ago",
                "  not compared: Execute Queries answered 401 PowerBINotAuthorizedException: tenant setting off");
    }

    private static Operations.Status quietWith(List<ControlTotals.Result> totals) {
        return new Operations.Status(AT, "ws-1", "ds-1", List.of(), 0, 0, 0, 0, null, List.of(), List.of(), null,
                List.of(), totals, List.of(), new InboxQueue.DeadLetters(0, List.of()), "host-1", List.of());
    }

    private static ControlTotals.Result result(String table, String tenant, Verdict verdict, long ledger, Long powerBi,
                                               List<Difference> differences, String detail, int differing, Instant at) {
        return new ControlTotals.Result(table, tenant, verdict, ledger, powerBi, differences, detail, differing, at);
    }

    @Test
    void instantsWrittenAsEpochSecondsReadTheSame() {
        JsonNode node = PipelineJson.mapper().readTree(
                "{\"at\":1772359200.000000000,\"oldestWaiting\":1772359190.5,\"rowsPushed\":1,\"outboxUnsent\":1}");

        assertThat(StatusReport.render(node)).contains(
                "Rows: 1 pushed, 1 waiting; oldest waiting: 9s (since 2026-03-01T09:59:50.500Z)");
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "59,59s", "60,1m 00s", "3599,59m 59s", "3600,1h 00m", "86399,23h 59m", "90061,1d 01h",
            "-5,0s"})
    void ages(long seconds, String text) {
        assertThat(StatusReport.age(Duration.ofSeconds(seconds))).isEqualTo(text);
    }

    private static Tenant tenant(String id, String name, TenantStatus status, String reason) {
        return new Tenant(id, 1, "uuid-" + id, name, 7L, status, reason, AT, AT, "g-1");
    }

    private static JsonNode json(Operations.Status status) {
        return PipelineJson.mapper().readTree(PipelineJson.mapper().writeValueAsString(status));
    }
}
