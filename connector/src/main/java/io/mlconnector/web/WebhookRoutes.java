package io.mlconnector.web;

import io.javalin.config.RoutesConfig;
import io.mlconnector.freshbooks.WebhookSignature;

/** {@code POST /hooks/freshbooks/{callbackToken}}: a thin handler around {@link WebhookIntake}. */
public final class WebhookRoutes implements RouteModule {

    public static final String PATH = "/hooks/freshbooks/{callbackToken}";

    private final WebhookIntake intake;

    public WebhookRoutes(WebhookIntake intake) {
        this.intake = intake;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.post(PATH, ctx -> {
            WebhookIntake.Outcome outcome = intake.receive(ctx.pathParam("callbackToken"), ctx.bodyInputStream(),
                    ctx.header(WebhookSignature.HEADER));
            ctx.status(outcome.status());
            if (outcome.status() != 204) {
                ctx.contentType("text/plain").result(outcome.reason());
            }
        });
    }
}
