package io.mlconnector.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlconnector.web.RouteModule;
import io.javalin.config.RoutesConfig;

/**
 * The admin surface's routes: the status API, Prometheus metrics, the replays, compact and control totals actions,
 * and one-time connect links. Thin handlers over {@link Operations}.
 */
final class ApiRoutes implements RouteModule {
    private final Operations operations;
    private final PrometheusMeterRegistry meters;
    private final java.net.URI publicBaseUrl;
    private final java.time.Duration linkLifetime;

    ApiRoutes(Operations operations, PrometheusMeterRegistry meters, java.net.URI publicBaseUrl, java.time.Duration linkLifetime) {
        this.operations = operations;
        this.meters = meters;
        this.publicBaseUrl = publicBaseUrl;
        this.linkLifetime = linkLifetime;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get("/api/status", ctx -> ctx.json(operations.status()));
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(meters.scrape()));
        routes.post("/api/dataset/compact", ctx -> {
            try {
                ctx.json(java.util.Map.of("queued", operations.compact(java.util.Set.copyOf(ctx.queryParams("table")))));
            } catch (IllegalArgumentException e) {
                ctx.status(400).json(java.util.Map.of("error", e.getMessage()));
            }
        });
        routes.post("/api/connect/freshbooks", ctx -> ctx.json(java.util.Map.of(
                "link", publicBaseUrl.toString().replaceAll("/+$", "") + OAuthRoutes.START + "?link=" + operations.mintConnectLink(),
                "validForSeconds", linkLifetime.toSeconds())));
        routes.get("/api/webhooks", ctx -> refused(ctx, () -> ctx.json(java.util.Map.of("tenants",
                operations.webhookAudit(ctx.queryParam("tenant"))))));
        routes.post("/api/webhooks/repair", ctx -> refused(ctx, () -> ctx.json(java.util.Map.of("tenants",
                operations.repairWebhooks(ctx.queryParam("tenant"))))));
        routes.post("/api/totals/check", ctx -> ctx.json(java.util.Map.of("controlTotals", operations.checkTotals())));
        routes.post("/api/batches/{batchId}/replay", ctx -> {
            boolean replayed = operations.replay(ctx.pathParam("batchId"));
            ctx.status(replayed ? 200 : 404).json(java.util.Map.of("replayed", replayed));
        });
        routes.post("/api/replay/record", ctx -> refused(ctx, () -> ctx.status(202).json(operations.replayRecord(
                ctx.queryParam("tenant"), ctx.queryParam("type"), ctx.queryParam("id")))));
        routes.post("/api/replay/dead-letters", ctx -> refused(ctx, () -> ctx.json(java.util.Map.of("requeued",
                operations.replayDeadLetters(ctx.queryParam("tenant"))))));
        routes.post("/api/backfills", ctx -> refused(ctx, () -> { // 202 at once; GET …/{id} is its progress
            try {
                ctx.status(202).json(operations.startBackfill(ctx.queryParam("tenant"), date(ctx.queryParam("since")),
                        ctx.queryParams("tables"), "true".equals(ctx.queryParam("fromStart"))));
            } catch (io.mlconnector.pipeline.Backfills.AlreadyRunningException e) {
                // "running": its id when it runs on this instance (the CLI then watches it); absent when on another one
                ctx.status(409).json(e.runningId() == null ? java.util.Map.of("error", e.getMessage())
                        : java.util.Map.of("error", e.getMessage(), "running", e.runningId()));
            }
        }));
        routes.get("/api/explain", ctx -> refused(ctx, () -> ctx.json(operations.explain(ctx.queryParam("table"),
                ctx.queryParam("id"), ctx.queryParam("tenant")))));
        routes.get("/api/backfills/{id}", ctx -> operations.backfillProgress(ctx.pathParam("id")).ifPresentOrElse(ctx::json,
                () -> ctx.status(404).json(java.util.Map.of("error", "no backfill " + ctx.pathParam("id")
                        + " on this instance within the last hour"))));
        routes.post("/api/replay/selected", ctx -> refused(ctx, () -> ctx.json(operations.replaySelected(
                "true".equals(ctx.queryParam("deadLetters")), blankToNull(ctx.queryParam("table")),
                blankToNull(ctx.queryParam("tenant")), instant(ctx.queryParam("from"), "--from"),
                instant(ctx.queryParam("to"), "--to"), blankToNull(ctx.queryParam("error"))))));
        routes.post("/api/replay/listing", ctx -> refused(ctx, () -> {
            String since = ctx.queryParam("since");
            java.time.LocalDate sinceDate;
            try {
                sinceDate = since == null || since.isBlank() ? null : java.time.LocalDate.parse(since);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("--since: '" + since + "' is not a date YYYY-MM-DD");
            }
            ctx.status(202).json(operations.replayListing(ctx.queryParam("tenant"), ctx.queryParam("type"), sinceDate));
        }));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static java.time.Instant instant(String value, String option) {
        try {
            return value == null || value.isBlank() ? null : java.time.Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a time such as 2026-01-02T10:00:00Z");
        }
    }

    private static java.time.LocalDate date(String since) {
        try {
            return since == null || since.isBlank() ? null : java.time.LocalDate.parse(since);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("--since: '" + since + "' is not a date YYYY-MM-DD");
        }
    }

    /** An unknown tenant answers 404, any other bad parameter 400, each with its one-line message. */
    private static void refused(io.javalin.http.Context ctx, Runnable call) {
        try {
            call.run();
        } catch (Operations.NoSuchTenantException e) {
            ctx.status(404).json(java.util.Map.of("error", e.getMessage()));
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(java.util.Map.of("error", e.getMessage()));
        }
    }
}
