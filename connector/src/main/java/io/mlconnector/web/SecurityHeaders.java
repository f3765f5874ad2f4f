package io.mlconnector.web;

import io.javalin.http.Context;

/**
 * Headers on every response (issue 10 item 8): no content sniffing, a Content-Security-Policy that allows only
 * this server's own styles, scripts, images, forms and fetches (the status page's files; nothing inline, no
 * framing), no caching (status pages and API answers name businesses and errors), and no Referer (the OAuth
 * callback URL carries a one-time code).
 */
final class SecurityHeaders {

    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self';"
            + " frame-ancestors 'none'; base-uri 'none'";

    private SecurityHeaders() {
    }

    static void add(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Cache-Control", "no-store");
        ctx.header("Referrer-Policy", "no-referrer");
    }
}
