package io.mlconnector.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlconnector.web.RouteModule;
import io.javalin.config.RoutesConfig;

/** The status API, Prometheus metrics, the replay, compact and control totals actions: thin handlers over {@link Operations}. */
final class ApiRoutes implements RouteModule {
    private final Operations operations;
    private final PrometheusMeterRegistry meters;

    ApiRoutes(Operations operations, PrometheusMeterRegistry meters) {
        this.operations = operations;
        this.meters = meters;
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
        routes.post("/api/totals/check", ctx -> ctx.json(java.util.Map.of("controlTotals", operations.checkTotals())));
        routes.post("/api/batches/{batchId}/replay", ctx -> {
            boolean replayed = operations.replay(ctx.pathParam("batchId"));
            ctx.status(replayed ? 200 : 404).json(java.util.Map.of("replayed", replayed));
        });
    }
}
