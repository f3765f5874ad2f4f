package io.mlconnector.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * The admin surface's gate. With a token configured ({@code admin.token}), every request must carry
 * {@code Authorization: Bearer <token>} (the CLI, scrapers) or the status page's session cookie, else 401. Added
 * first, so it runs before any admin route (and before a 404).
 *
 * <p>A browser signs in once: {@code GET /} without a session shows a form, whose {@code POST /login} (the token in
 * the body, never in a URL, so no history, log or Referer holds it) sets an {@code HttpOnly; SameSite=Strict} cookie
 * holding a SHA-256 digest of the token (not the token itself), valid until the browser closes or the token changes.
 * Without a token the listener is loopback only (ConfigLoader), and the page needs no sign-in; then requests naming
 * another host are refused, so a web page whose DNS name is rebound to 127.0.0.1 cannot read the admin surface.
 * Either way a browser's cross-site POST (a form or script on another site) is refused: the cookie never goes
 * cross-site, and without a token nothing else would stop it.
 */
public final class AdminAuth implements RouteModule {
    static final String BEARER = "Bearer ";
    static final String COOKIE = "mlc_admin_session";
    static final String LOGIN = "/login";
    /** Static files of the status page, served before sign-in (the sign-in form uses the style sheet). */
    static final Set<String> PUBLIC_ASSETS = Set.of("/status/status.css", "/status/status.js", "/status/favicon.svg");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final byte[] tokenDigest;

    /** @param token the admin token, or {@code null}: no check (the listener is on loopback, see ConfigLoader) */
    public AdminAuth(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.before(ctx -> {
            if (crossSiteWrite(ctx)) {
                refuse(ctx, 403, "cross-site requests to the admin surface are refused");
            } else if (tokenDigest == null && !loopbackHost(ctx.host())) {
                refuse(ctx, 421, "the admin surface answers only to 127.0.0.1 or localhost without admin.token");
            } else if (tokenDigest != null && !authorized(ctx.header("Authorization"), ctx.cookie(COOKIE))
                    && !PUBLIC_ASSETS.contains(ctx.path()) && !LOGIN.equals(ctx.path())) {
                if ("GET".equals(ctx.method().name()) && "/".equals(ctx.path())) {
                    ctx.status(401).html(LoginPage.html(false));
                    ctx.skipRemainingHandlers();
                } else {
                    ctx.header("WWW-Authenticate", "Bearer realm=\"ml-connector admin\"");
                    refuse(ctx, 401, "admin token required (Authorization: Bearer, admin.token)");
                }
            }
        });
        routes.post(LOGIN, this::login);
    }

    /** The sign-in form's POST: the right token sets the session cookie and goes to the page; a wrong one says so. */
    private void login(Context ctx) {
        String token = ctx.formParam("token");
        if (tokenDigest == null) {
            ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER); // nothing to sign in to
        } else if (token != null && MessageDigest.isEqual(tokenDigest, sha256(token.trim()))) {
            ctx.header("Set-Cookie", COOKIE + "=" + sessionValue() + "; Path=/; HttpOnly; SameSite=Strict");
            ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
        } else {
            ctx.status(401).html(LoginPage.html(true));
        }
    }

    /** Compares digests in constant time, so neither the token's content nor its length leaks through timing. */
    boolean authorized(String header, String cookie) {
        if (cookie != null && MessageDigest.isEqual(sessionValue().getBytes(StandardCharsets.US_ASCII),
                cookie.getBytes(StandardCharsets.US_ASCII))) {
            return true;
        }
        if (header == null || !header.startsWith(BEARER)) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(BEARER.length()).trim()));
    }

    /** The cookie's value: a digest of the token's digest, so a copied cookie does not reveal the bearer token. */
    private String sessionValue() {
        return HexFormat.of().formatHex(sha256("ml-connector admin session\n" + HexFormat.of().formatHex(tokenDigest)));
    }

    /**
     * A browser tells where a request comes from ({@code Sec-Fetch-Site}, else {@code Origin}); the CLI sends
     * neither. Only reads (GET, HEAD) may come from elsewhere, e.g. a link to the page.
     */
    static boolean crossSiteWrite(Context ctx) {
        String method = ctx.method().name();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            return false;
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null) {
            return !site.equals("same-origin") && !site.equals("none");
        }
        String origin = ctx.header("Origin");
        String host = ctx.host();
        return origin != null && (host == null || !origin.toLowerCase(Locale.ROOT).endsWith("//" + host.toLowerCase(Locale.ROOT)));
    }

    /** {@code host[:port]} names this machine's loopback interface. */
    static boolean loopbackHost(String hostHeader) {
        if (hostHeader == null) {
            return true; // HTTP/1.0 without Host: not a browser
        }
        String host = hostHeader.toLowerCase(Locale.ROOT);
        int colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
        String name = colon > 0 ? host.substring(0, colon) : host;
        return LOOPBACK_HOSTS.contains(name) || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static void refuse(Context ctx, int status, String message) {
        ctx.status(status).contentType("text/plain").result(message);
        ctx.skipRemainingHandlers();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
