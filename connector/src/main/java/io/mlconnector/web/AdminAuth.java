package io.mlconnector.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin surface's gate: with a token configured ({@code admin.token}), every request must carry
 * {@code Authorization: Bearer <token>}, else 401. Added first, so it runs before any admin route (and before a 404).
 */
public final class AdminAuth implements RouteModule {
    private static final String BEARER = "Bearer ";

    private final byte[] tokenDigest;

    /** @param token the admin token, or {@code null}: no check (the listener is on loopback, see ConfigLoader) */
    public AdminAuth(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        if (tokenDigest == null) {
            return;
        }
        routes.before(ctx -> {
            if (!authorized(ctx.header("Authorization"))) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"ml-connector admin\"");
                ctx.status(401).contentType("text/plain").result("admin token required (Authorization: Bearer, admin.token)");
                ctx.skipRemainingHandlers();
            }
        });
    }

    /** Compares digests in constant time, so neither the token's content nor its length leaks through timing. */
    boolean authorized(String header) {
        if (header == null || !header.startsWith(BEARER)) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(BEARER.length()).trim()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
