package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code mlc explain}'s lines from known explanations. */
class ExplainReportTest {
    private static JsonNode json(String text) {
        return JsonMapper.builder().build().readTree(text);
    }

    @Test
    void rowsWithTheirBatchesAndCausesThenTheLedger() {
        JsonNode explanation = json("""
                {"table":"invoices","objectId":"100001","tenantId":"ACM1","rows":[
                 {"rowKey":"100001","tenantId":"ACM1","objectType":"invoice","sign":1,"cause":"backfill:bf-1a2b:invoice:all",
                  "createdAt":"2026-01-02T10:00:00Z","batchId":"b1","batchState":"sent","sentAt":"2026-01-02T10:00:01Z","events":[]},
                 {"rowKey":"100001","tenantId":"ACM1","objectType":"invoice","sign":-1,"cause":"inbox:7-8",
                  "createdAt":"2026-01-02T11:00:00Z","batchId":"b2","batchState":"quarantined","lastError":"400 bad value",
                  "events":[{"inboxId":7,"eventName":"invoice.update","receivedAt":"2026-01-02T10:59:58Z"},
                            {"inboxId":8,"eventName":"replay.requested","receivedAt":"2026-01-02T10:59:59Z"}]},
                 {"rowKey":"100001","tenantId":"ACM1","objectType":"invoice","sign":1,"cause":"sweep:invoice:since 2026-01-01:deleted",
                  "createdAt":"2026-01-02T11:00:00Z","batchId":null,"events":[]}],
                 "ledger":[{"tenantId":"ACM1","objectType":"invoice","sourceVersion":"2026-01-02T10:59:00Z","deleted":false,
                            "updatedAt":"2026-01-02T11:00:00Z"}]}""");
        assertThat(ExplainReport.render(explanation)).containsExactly(
                "invoices rows of record 100001 of tenant ACM1: 3 signed rows, net +1",
                "  + 100001  written 2026-01-02T10:00:00Z  batch b1 sent 2026-01-02T10:00:01Z",
                "      cause: backfill bf-1a2b (invoice listing, all records)",
                "  − 100001  written 2026-01-02T11:00:00Z  batch b2 QUARANTINED: 400 bad value (mlc replay b2)",
                "      cause: webhook invoice.update received 2026-01-02T10:59:58Z (inbox 7); mlc replay --record received "
                        + "2026-01-02T10:59:59Z (inbox 8), fetched once",
                "  + 100001  written 2026-01-02T11:00:00Z  not in a batch yet (waits in the outbox)",
                "      cause: sweep or mlc replay --tenant (invoice listing, changed since 2026-01-01, deleted records)",
                "Ledger: invoice 100001 of ACM1 held at FreshBooks version 2026-01-02T10:59:00Z, last applied 2026-01-02T11:00:00Z");
    }

    @Test
    void nothingKnownSaysWhyAndHowToFetchIt() {
        assertThat(ExplainReport.render(json("{\"table\":\"payments\",\"objectId\":\"9\",\"tenantId\":null,\"rows\":[],\"ledger\":[]}")))
                .containsExactly("No payments rows of record 9 in the outbox: never pushed to that table, or sent longer "
                                + "ago than pipeline.retention (sent rows are deleted after it).",
                        "Ledger: no entry for 9 (the connector never read such a record; mlc replay --tenant T --record TYPE:9 fetches it)");
    }

    @Test
    void rowsOfEveryTenantNameTheirTenantAndAnOldWebhookCauseSaysItsEventsAreGone() {
        JsonNode explanation = json("""
                {"table":"clients","objectId":"5","tenantId":null,"rows":[
                 {"rowKey":"5","tenantId":"GLX","objectType":"client","sign":1,"cause":"inbox:3-3","createdAt":"2026-01-02T10:00:00Z",
                  "batchId":"b9","batchState":"pending","lastError":"503","events":[]},
                 {"rowKey":"5","tenantId":"GLX","objectType":"client","sign":-1,"cause":"rebuild","createdAt":"2026-01-02T10:00:00Z",
                  "batchId":"b9","batchState":"pending","events":[]}],"ledger":[]}""");
        assertThat(ExplainReport.render(explanation)).containsExactly(
                "clients rows of record 5: 2 signed rows, net 0 (Power BI sums them to nothing: deleted or moved)",
                "  + 5 of GLX  written 2026-01-02T10:00:00Z  batch b9 pending, last error: 503",
                "      cause: webhook events 3-3 (no longer in the inbox: retention)",
                "  − 5 of GLX  written 2026-01-02T10:00:00Z  batch b9 pending",
                "      cause: rebuild",
                "Ledger: no entry for 5");
    }
}
