package io.mlconnector.sim.entra;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The client-credentials grant of the v2.0 token endpoint (reference powerbi-api.md §1.1, §1.2): credentials in
 * the form body (client_secret_post, as MSAL4J sends them) or in an HTTP Basic header (RFC 6749 §2.3.1), and a
 * scope of exactly the Power BI resource's {@code /.default}, optionally mixed with MSAL's
 * {@code openid profile offline_access}.
 */
public final class ClientCredentialsGrant {
    public static final String POWER_BI_SCOPE = AccessTokenIssuer.POWER_BI_RESOURCE + "/.default";
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access");

    /** What the endpoint answers: a token response body, or a refusal. */
    public sealed interface Outcome permits Issued, Refused {}

    public record Issued(Map<String, Object> body) implements Outcome {}

    public record Refused(EntraError error) implements Outcome {}

    private final AppRegistry apps;
    private final AccessTokenIssuer issuer;
    private final Duration tokenLifetime;

    public ClientCredentialsGrant(AppRegistry apps, AccessTokenIssuer issuer, Duration tokenLifetime) {
        this.apps = apps;
        this.issuer = issuer;
        this.tokenLifetime = tokenLifetime;
    }

    /**
     * @param tenant the {tenant} path segment
     * @param form the form fields (first value of each)
     * @param authorization the Authorization header, or null
     */
    public Outcome exchange(String tenant, Map<String, String> form, String authorization) {
        String grantType = form.get("grant_type");
        if (blank(grantType)) {
            return refuse(EntraError.missingParameter("grant_type"));
        }
        if (!"client_credentials".equals(grantType)) {
            return refuse(EntraError.unsupportedGrant(grantType));
        }
        if (form.containsKey("client_assertion")) {
            return refuse(EntraError.invalidRequest("The simulator supports client secrets only, not client assertions."));
        }
        Optional<String[]> basic = basicCredentials(authorization);
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6) && basic.isEmpty()) {
            return refuse(EntraError.invalidRequest("The Authorization header is not valid HTTP Basic credentials."));
        }
        if (basic.isPresent() && form.containsKey("client_secret")) {
            // RFC 6749 §2.3: a client must not use more than one authentication method in a request.
            return refuse(EntraError.invalidRequest("The request must use only one client authentication method."));
        }
        String clientId = basic.map(b -> b[0]).orElse(form.get("client_id"));
        if (basic.isPresent() && form.containsKey("client_id") && !form.get("client_id").equals(clientId)) {
            return refuse(EntraError.invalidRequest("client_id in the body differs from the Basic credentials."));
        }
        if (blank(clientId)) {
            return refuse(EntraError.missingParameter("client_id"));
        }
        if (!apps.hasTenant(tenant)) {
            return refuse(EntraError.unknownTenant(tenant));
        }
        Optional<RegisteredApp> app = apps.find(tenant, clientId);
        if (app.isEmpty()) {
            return refuse(EntraError.unknownClient(clientId, tenant));
        }
        String secret = basic.map(b -> b[1]).orElse(form.get("client_secret"));
        if (blank(secret)) {
            return refuse(EntraError.missingSecret());
        }
        if (!constantTimeEquals(secret, app.get().clientSecret())) {
            return refuse(EntraError.wrongSecret(clientId));
        }
        String scope = form.get("scope");
        if (blank(scope)) {
            return refuse(EntraError.missingParameter("scope"));
        }
        Optional<String> badScope = scopeProblem(scope);
        if (badScope.isPresent()) {
            return refuse(EntraError.invalidScope(badScope.get()));
        }
        AccessTokenIssuer.IssuedToken token = issuer.issue(app.get(), tokenLifetime);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("expires_in", tokenLifetime.toSeconds());
        body.put("ext_expires_in", tokenLifetime.toSeconds());
        // MSAL4J matches its cache on this field; it must contain the requested resource scope (reference §1.2).
        body.put("scope", POWER_BI_SCOPE);
        body.put("access_token", token.accessToken());
        return new Issued(body);
    }

    /** The offending scope text, if the requested scopes are not exactly the Power BI /.default (plus OIDC ones). */
    static Optional<String> scopeProblem(String scope) {
        List<String> resourceScopes = java.util.Arrays.stream(scope.trim().split("\\s+"))
                .filter(s -> !OIDC_SCOPES.contains(s))
                .toList();
        if (resourceScopes.size() == 1 && resourceScopes.get(0).equals(POWER_BI_SCOPE)) {
            return Optional.empty();
        }
        return Optional.of(resourceScopes.isEmpty() ? scope : String.join(" ", resourceScopes));
    }

    /** client id and secret from {@code Basic base64(urlencode(id):urlencode(secret))}, RFC 6749 §2.3.1. */
    static Optional<String[]> basicCredentials(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            return Optional.of(new String[] {
                    URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Outcome refuse(EntraError error) {
        return new Refused(error);
    }
}
