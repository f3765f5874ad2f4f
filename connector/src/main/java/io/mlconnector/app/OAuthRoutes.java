package io.mlconnector.app;

import io.javalin.config.RoutesConfig;
import io.mlconnector.store.Tenant;
import io.mlconnector.web.RouteModule;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Connecting a business from a browser: {@code /oauth/freshbooks/start} sends the user to FreshBooks,
 * which sends them back to {@code /oauth/freshbooks/callback} (the configured redirect URI).
 */
final class OAuthRoutes implements RouteModule {
    static final String START = "/oauth/freshbooks/start";
    static final String CALLBACK = "/oauth/freshbooks/callback";

    private final Operations operations;

    OAuthRoutes(Operations operations) {
        this.operations = operations;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get(START, ctx -> ctx.redirect(operations.beginConnect().toString()));
        routes.get(CALLBACK, ctx -> {
            String error = ctx.queryParam("error");
            String code = ctx.queryParam("code");
            if (error != null || code == null) {
                ctx.status(400).html(page("FreshBooks did not grant access" + (error == null ? "." : ": " + escape(error))
                        + " <a href=\"" + START + "\">Try again</a>."));
                return;
            }
            try {
                List<Tenant> connected = operations.completeConnect(ctx.queryParam("state"), code);
                ctx.html(page("Connected: " + connected.stream().map(t -> escape(t.businessName()) + " (" + t.tenantId() + ")")
                        .collect(Collectors.joining(", ")) + ". Webhooks are registered and the backfill has started; "
                        + "see <a href=\"/api/status\">status</a>."));
            } catch (IllegalArgumentException e) {
                ctx.status(400).html(page(escape(e.getMessage()) + ". <a href=\"" + START + "\">Start again</a>."));
            }
        });
    }

    private static String page(String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>ml-connector</title></head><body><p>"
                + body + "</p></body></html>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
