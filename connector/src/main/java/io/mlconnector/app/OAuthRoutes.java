package io.mlconnector.app;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.mlconnector.store.Tenant;
import io.mlconnector.web.RouteModule;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Connecting a business from a browser, on the public listener: {@code /oauth/freshbooks/start?link=...} (a one-time
 * link an admin minted) sends the user to FreshBooks, which sends them back to {@code /oauth/freshbooks/callback}
 * (the configured redirect URI). The state is bound to the browser by a cookie, so a callback link someone else
 * started connects nothing.
 */
final class OAuthRoutes implements RouteModule {
    static final String START = "/oauth/freshbooks/start";
    static final String CALLBACK = "/oauth/freshbooks/callback";
    static final String BROWSER_COOKIE = "mlc_oauth_browser";
    /** Covers start and callback: a browser keeps a cookie only for paths under the one that set it. */
    private static final String COOKIE_PATH = "/oauth/freshbooks";
    private static final String ASK_FOR_A_LINK = "Connecting a business needs a one-time link: ask the connector's"
            + " administrator for one (mlc connect freshbooks).";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OAuthRoutes.class);

    private final Operations operations;
    private final boolean secureCookie;

    /** @param secureCookie true when the public URL is https: the browser then sends the cookie over https only */
    OAuthRoutes(Operations operations, boolean secureCookie) {
        this.operations = operations;
        this.secureCookie = secureCookie;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get(START, this::start);
        routes.get(CALLBACK, ctx -> {
            String error = ctx.queryParam("error");
            String code = ctx.queryParam("code");
            if (error != null || code == null) {
                ctx.status(400).html(page("FreshBooks did not grant access" + (error == null ? "." : ": " + escape(error))
                        + " " + ASK_FOR_A_LINK));
                return;
            }
            try {
                List<Tenant> connected = operations.completeConnect(ctx.queryParam("state"), ctx.cookie(BROWSER_COOKIE), code);
                ctx.removeCookie(BROWSER_COOKIE, COOKIE_PATH);
                ctx.html(page("Connected: " + connected.stream().map(t -> escape(t.businessName()) + " (" + t.tenantId() + ")")
                        .collect(Collectors.joining(", ")) + ". Webhooks are registered and the backfill has started;"
                        + " mlc status shows its progress."));
            } catch (IllegalArgumentException e) {
                ctx.status(400).html(page(escape(e.getMessage()) + ". " + ASK_FOR_A_LINK));
            } catch (RuntimeException e) { // a readable page and one log line, not a bare 500
                ConnectFailure failure = ConnectFailure.of(e);
                LOG.warn(failure.log());
                ctx.status(failure.status()).html(page(escape(failure.page())));
            }
        });
    }

    private void start(Context ctx) {
        Optional<Operations.ConnectStart> begun = operations.beginConnect(ctx.queryParam("link"));
        if (begun.isEmpty()) {
            ctx.status(403).html(page("This link is not valid (unknown, used or expired). " + ASK_FOR_A_LINK));
            return;
        }
        // SameSite=Lax, not Strict: FreshBooks' redirect back is a top-level cross-site GET, which Lax lets through.
        Cookie cookie = new Cookie(BROWSER_COOKIE, begun.get().browserSecret(), COOKIE_PATH, -1, secureCookie);
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.LAX);
        ctx.cookie(cookie);
        ctx.redirect(begun.get().authorizationUrl().toString());
    }

    private static String page(String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>ml-connector</title></head><body><p>"
                + body + "</p></body></html>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
