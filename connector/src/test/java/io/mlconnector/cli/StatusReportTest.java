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
                "    fix: reconnect the business (its events wait until then): mlc connect freshbooks",
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

    /**
     * Issue 11: "0 waiting" beside "oldest waiting 8m 44s" came from an oldest over events and rows printed beside the
     * rows' count alone. Each part now has its count and oldest, the parts add up to the totals, and the oldest of
     * all is named with its part.
     */
    @Test
    void whatWaitsIsSplitByWhyAndTheOldestNamesItsPart() {
        Instant deadSince = AT.minusSeconds(524);
        io.mlconnector.app.WaitingWork waiting = io.mlconnector.app.WaitingWork.of(
                List.of(new InboxQueue.WaitingEvents("dead_lettered", 5, deadSince),
                        new InboxQueue.WaitingEvents("queued", 2, AT.minusSeconds(3))),
                List.of(), java.util.Set.of(), null);
        Operations.Status status = new Operations.Status(AT, "ws-1", "ds-1", List.of(), 40, 7, 33, 0, deadSince,
                List.of(), List.of(), null, List.of(), List.of(), List.of(), new InboxQueue.DeadLetters(5, List.of()),
                "host-1", List.of(), waiting);

        List<String> lines = StatusReport.render(json(status));

        assertThat(lines).containsSubsequence(
                "Events: 40 received, 7 waiting in the inbox",
                "  2 queued (in their quiet window, due, or being fetched), oldest 3s",
                "  5 dead-lettered (no longer fetched), oldest 8m 44s; after fixing the cause shown under Dead letters:"
                        + " mlc replay --dead-letters",
                "Rows: 33 pushed, 0 waiting in the outbox",
                "Oldest waiting: 8m 44s, among the dead-lettered (no longer fetched) events");
    }

    @Test
    void rowsHeldByAPausedRouteABlockedTableOrAQuarantineSayWhatClearsThem() {
        io.mlconnector.app.WaitingWork paused = io.mlconnector.app.WaitingWork.of(List.of(), List.of(
                        new Outbox.WaitingRows("invoices", "unbatched", false, 10, AT.minusSeconds(60)),
                        new Outbox.WaitingRows("invoices", "quarantined", false, 3, AT.minusSeconds(600)),
                        new Outbox.WaitingRows("payments", "pending", true, 4, AT.minusSeconds(30))),
                java.util.Set.of("payments"), "add the service principal (powerbi.client-id) to the workspace");
        assertThat(paused.rows()).extracting(io.mlconnector.app.WaitingWork.Part::why, io.mlconnector.app.WaitingWork.Part::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("route_paused", 14L),
                        org.assertj.core.groups.Tuple.tuple("quarantined", 3L));
        assertThat(paused.rows().get(0).oldest()).isEqualTo(AT.minusSeconds(60));
        assertThat(paused.rows().get(0).clearedBy()).contains("powerbi.client-id");

        io.mlconnector.app.WaitingWork running = io.mlconnector.app.WaitingWork.of(List.of(), List.of(
                        new Outbox.WaitingRows("invoices", "unbatched", false, 10, AT.minusSeconds(60)),
                        new Outbox.WaitingRows("invoices", "posting", false, 2, AT.minusSeconds(20)),
                        new Outbox.WaitingRows("payments", "pending", true, 4, AT.minusSeconds(30))),
                java.util.Set.of("payments"), null);
        assertThat(running.rows()).extracting(io.mlconnector.app.WaitingWork.Part::why)
                .containsExactly("queued", "resolving", "table_blocked");
        assertThat(running.rows().get(2).clearedBy()).contains("mlc dataset sync");
        assertThat(running.rows().get(0).clearedBy()).isNull();
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
