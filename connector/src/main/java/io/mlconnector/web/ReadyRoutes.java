package io.mlconnector.web;

import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /ready}: 200 with each check's answer when all pass, else 503 naming the failing checks. Served on the
 * admin listener only: it fails while Power BI's route is paused, when the instance still takes webhooks and must
 * stay behind the load balancer ({@code /health} on the public listener is the balancer's check), and its answers
 * name causes (a paused route's reason) that are not the public's business.
 */
public final class ReadyRoutes implements RouteModule {
    private final Readiness readiness;

    public ReadyRoutes(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get("/ready", ctx -> {
            Readiness.Report report = readiness.check();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", report.ready() ? "ready" : "not ready");
            if (!report.ready()) {
                body.put("failing", report.failing());
            }
            body.put("checks", report.checks());
            ctx.status(report.ready() ? 200 : 503).json(body);
        });
    }
}
