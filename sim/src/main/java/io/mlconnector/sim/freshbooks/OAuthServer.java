package io.mlconnector.sim.freshbooks;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * FreshBooks' OAuth 2.0 authorization-code grant (reference §2): 5-minute single-use codes, 12-hour access tokens,
 * single-use refresh tokens that rotate on every refresh, reuse answered with {@code invalid_grant}.
 */
public final class OAuthServer {

    public static final Duration CODE_LIFETIME = Duration.ofMinutes(5);

    /** What one authorization granted: to which app, for whom, with which scopes. */
    public record Grant(String grantId, String clientId, long identityId, List<String> scopes) {}

    public record AccessToken(String token, Grant grant, Instant createdAt, Instant expiresAt) {}

    /** The token endpoint's answer (reference §2.4). */
    public record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken,
                                String scope, long createdAt) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("access_token", accessToken);
            m.put("token_type", tokenType);
            m.put("expires_in", expiresIn);
            m.put("refresh_token", refreshToken);
            m.put("scope", scope);
            m.put("created_at", createdAt);
            return m;
        }
    }

    /** Result of checking a bearer token. */
    public sealed interface Check permits Valid, Expired, Unknown {}

    public record Valid(AccessToken token) implements Check {}

    public record Expired() implements Check {}

    public record Unknown() implements Check {}

    private record PendingCode(String clientId, String redirectUri, long identityId, List<String> scopes, Instant expiresAt) {}

    private record RefreshState(Grant grant, String accessToken, boolean used) {}

    /**
     * One call of the token endpoint and its outcome, so a test can check e.g. that no client ever spent a refresh
     * token twice (a cluster refreshing the same grant from two instances).
     *
     * @param grantType {@code authorization_code} or {@code refresh_token}
     * @param grantId the grant the code or refresh token belongs to; null when it is unknown
     * @param error the OAuth error answered (e.g. {@code invalid_grant}); null when tokens were issued
     */
    public record TokenRequest(Instant at, String grantType, String grantId, String error) {}

    private final Clock clock;
    private final FreshBooksConfig.Behaviour behaviour;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, OAuthApp> apps = new ConcurrentHashMap<>();
    private final Map<String, PendingCode> codes = new ConcurrentHashMap<>();
    private final Map<String, AccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, RefreshState> refreshTokens = new ConcurrentHashMap<>();
    private final List<TokenRequest> tokenLog = new CopyOnWriteArrayList<>();

    public OAuthServer(Clock clock, FreshBooksConfig.Behaviour behaviour, List<OAuthApp> apps) {
        this.clock = clock;
        this.behaviour = behaviour;
        apps.forEach(this::register);
    }

    public void register(OAuthApp app) {
        apps.put(app.clientId(), app);
    }

    public Optional<OAuthApp> app(String clientId) {
        return Optional.ofNullable(clientId == null ? null : apps.get(clientId));
    }

    /**
     * Approves an authorization request for {@code identityId} and returns the code. {@code scopeParam} is
     * space-separated; null or blank grants the app's configured scopes (reference §2.1).
     */
    public synchronized String authorize(String clientId, String redirectUri, String scopeParam, long identityId) {
        OAuthApp app = app(clientId).orElseThrow(() -> ApiError.oauth(400, "invalid_client", "Unknown client_id."));
        if (redirectUri == null || !app.redirectUris().contains(redirectUri)) {
            throw ApiError.oauth(400, "invalid_redirect_uri", "The redirect uri included is not valid.");
        }
        List<String> scopes = scopeParam == null || scopeParam.isBlank() ? app.scopes()
                : Arrays.stream(scopeParam.trim().split("[ +]+")).distinct().toList();
        for (String s : scopes) {
            if (!app.scopes().contains(s)) {
                throw ApiError.oauth(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed: " + s);
            }
        }
        String code = newToken(20);
        codes.put(code, new PendingCode(clientId, redirectUri, identityId, scopes, clock.instant().plus(CODE_LIFETIME)));
        return code;
    }

    public synchronized TokenResponse exchangeCode(String clientId, String clientSecret, String code, String redirectUri) {
        authenticateClient(clientId, clientSecret);
        if (code == null) {
            throw ApiError.oauth(400, "invalid_request", "Missing required parameter: code.");
        }
        PendingCode pending = codes.remove(code); // single use, even when the rest of the request is wrong
        if (pending == null || !pending.clientId().equals(clientId) || clock.instant().isAfter(pending.expiresAt())
                || !pending.redirectUri().equals(redirectUri)) {
            throw logged("authorization_code", null, invalidGrant());
        }
        Grant grant = new Grant(newToken(8), clientId, pending.identityId(), pending.scopes());
        tokenLog.add(new TokenRequest(clock.instant(), "authorization_code", grant.grantId(), null));
        return issue(grant);
    }

    public synchronized TokenResponse refresh(String clientId, String clientSecret, String refreshToken) {
        authenticateClient(clientId, clientSecret);
        if (refreshToken == null) {
            throw ApiError.oauth(400, "invalid_request", "Missing required parameter: refresh_token.");
        }
        RefreshState state = refreshTokens.get(refreshToken);
        if (state == null || state.used() || !state.grant().clientId().equals(clientId)) {
            throw logged("refresh_token", state == null ? null : state.grant().grantId(), invalidGrant());
        }
        refreshTokens.put(refreshToken, new RefreshState(state.grant(), state.accessToken(), true));
        tokenLog.add(new TokenRequest(clock.instant(), "refresh_token", state.grant().grantId(), null));
        if (behaviour.refreshRevokesOldAccess()) {
            accessTokens.remove(state.accessToken());
        }
        return issue(state.grant());
    }

    /** Revokes the grant the token (access or refresh) belongs to; unknown tokens are ignored (RFC 7009). */
    public synchronized void revoke(String clientId, String clientSecret, String token) {
        authenticateClient(clientId, clientSecret);
        Grant grant = null;
        if (token != null && accessTokens.containsKey(token)) {
            grant = accessTokens.get(token).grant();
        } else if (token != null && refreshTokens.containsKey(token)) {
            grant = refreshTokens.get(token).grant();
        }
        if (grant != null) {
            String id = grant.grantId();
            accessTokens.values().removeIf(t -> t.grant().grantId().equals(id));
            refreshTokens.values().removeIf(r -> r.grant().grantId().equals(id));
        }
    }

    /**
     * Revokes every grant {@code identityId} gave, as when the user disconnects the app in FreshBooks: its access and
     * refresh tokens stop working (API calls answer 401, a refresh {@code invalid_grant}). Returns how many grants.
     */
    public synchronized int revokeIdentity(long identityId) {
        java.util.Set<String> revoked = new java.util.HashSet<>();
        accessTokens.values().stream().filter(t -> t.grant().identityId() == identityId).forEach(t -> revoked.add(t.grant().grantId()));
        refreshTokens.values().stream().filter(r -> r.grant().identityId() == identityId).forEach(r -> revoked.add(r.grant().grantId()));
        accessTokens.values().removeIf(t -> revoked.contains(t.grant().grantId()));
        refreshTokens.values().removeIf(r -> revoked.contains(r.grant().grantId()));
        return revoked.size();
    }

    /** Every code exchange and refresh, oldest first, whatever its answer (client authentication failures aside). */
    public List<TokenRequest> tokenLog() {
        return List.copyOf(tokenLog);
    }

    public Check check(String bearer) {
        AccessToken t = bearer == null ? null : accessTokens.get(bearer);
        if (t == null) {
            return new Unknown();
        }
        return clock.instant().isBefore(t.expiresAt()) ? new Valid(t) : new Expired();
    }

    private TokenResponse issue(Grant grant) {
        Instant now = clock.instant();
        long expiresIn = behaviour.accessTokenSeconds();
        AccessToken access = new AccessToken(newToken(32), grant, now, now.plusSeconds(expiresIn));
        accessTokens.put(access.token(), access);
        String refresh = newToken(32);
        refreshTokens.put(refresh, new RefreshState(grant, access.token(), false));
        return new TokenResponse(access.token(), "Bearer", expiresIn, refresh, String.join(" ", grant.scopes()),
                now.getEpochSecond());
    }

    private void authenticateClient(String clientId, String clientSecret) {
        OAuthApp app = app(clientId).orElse(null);
        if (app == null || clientSecret == null || !app.clientSecret().equals(clientSecret)) {
            throw ApiError.oauth(401, "invalid_client",
                    "Client authentication failed due to unknown client, no client authentication included, "
                            + "or unsupported authentication method.");
        }
    }

    private ApiError logged(String grantType, String grantId, ApiError error) {
        tokenLog.add(new TokenRequest(clock.instant(), grantType, grantId, error.oauthError));
        return error;
    }

    private static ApiError invalidGrant() {
        return ApiError.oauth(400, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, "
                + "does not match the redirection URI used in the authorization request, or was issued to another client.");
    }

    private String newToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
