package io.mlconnector.freshbooks;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import io.mlconnector.store.TokenGrant;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * FreshBooks' user-delegated OAuth 2.0 (reference §2): the authorize URL, code exchange and refresh.
 * Client credentials go in the form body, as FreshBooks' own Python SDK sends them.
 */
public final class FreshBooksOAuthClient {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final URI authBaseUrl;
    private final URI tokenEndpoint;
    private final ClientSecretPost clientAuth;
    private final URI redirectUri;
    private final List<String> scopes;
    private final Clock clock;

    public FreshBooksOAuthClient(URI authBaseUrl, URI apiBaseUrl, String clientId, String clientSecret,
                                 URI redirectUri, List<String> scopes, Clock clock) {
        this.authBaseUrl = authBaseUrl;
        this.tokenEndpoint = apiBaseUrl.resolve("/auth/oauth/token");
        this.clientAuth = new ClientSecretPost(new ClientID(clientId), new Secret(clientSecret));
        this.redirectUri = redirectUri;
        this.scopes = List.copyOf(scopes);
        this.clock = clock;
    }

    /** The page a user opens to grant access; FreshBooks redirects back with {@code code} and {@code state}. */
    public URI authorizationUrl(String state) {
        String query = "client_id=" + encode(clientAuth.getClientID().getValue())
                + "&response_type=code"
                + "&redirect_uri=" + encode(redirectUri.toString())
                + (scopes.isEmpty() ? "" : "&scope=" + encode(String.join(" ", scopes)))
                + "&state=" + encode(state);
        return authBaseUrl.resolve("/oauth/authorize?" + query);
    }

    /** The longest one token request can take before it gives up (connect, then read). */
    public Duration longestRequest() {
        return Duration.ofMillis(2L * TIMEOUT_MILLIS);
    }

    public TokenGrant exchangeCode(String code) {
        return request(new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri));
    }

    /** Uses up {@code refreshToken}; the returned grant carries the only refresh token that works from now on. */
    public TokenGrant refresh(String refreshToken) {
        return request(new RefreshTokenGrant(new RefreshToken(refreshToken)));
    }

    private TokenGrant request(AuthorizationGrant grant) {
        HTTPRequest http = new TokenRequest(tokenEndpoint, clientAuth, grant).toHTTPRequest();
        http.setConnectTimeout(TIMEOUT_MILLIS);
        http.setReadTimeout(TIMEOUT_MILLIS);
        Instant sentAt = clock.instant();
        HTTPResponse response;
        try {
            response = http.send();
        } catch (IOException e) {
            throw new FreshBooksException(-1, "FreshBooks token endpoint unreachable: " + e.getMessage(), true);
        }
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            throw new FreshBooksException(response.getStatusCode(),
                    "FreshBooks token endpoint answered " + response.getStatusCode() + " with an unreadable body",
                    FreshBooksException.isRetryableStatus(response.getStatusCode()));
        }
        if (!parsed.indicatesSuccess()) {
            ErrorObject error = parsed.toErrorResponse().getErrorObject();
            String description = error.getCode() + (error.getDescription() == null ? "" : ": " + error.getDescription());
            if ("invalid_grant".equals(error.getCode())) {
                throw new InvalidGrantException(description);
            }
            int status = error.getHTTPStatusCode() > 0 ? error.getHTTPStatusCode() : response.getStatusCode();
            throw new FreshBooksException(status, "FreshBooks token request refused: " + description,
                    FreshBooksException.isRetryableStatus(status));
        }
        return toGrant(parsed.toSuccessResponse(), sentAt);
    }

    private static TokenGrant toGrant(AccessTokenResponse ok, Instant sentAt) {
        var tokens = ok.getTokens();
        long lifetime = tokens.getAccessToken().getLifetime();
        // FreshBooks says when it issued the token (created_at, epoch seconds); fall back to when we asked.
        Object createdAt = ok.getCustomParameters().get("created_at");
        Instant issued = createdAt instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : sentAt;
        Instant expires = issued.plus(Duration.ofSeconds(lifetime > 0 ? lifetime : 43_200));
        if (tokens.getRefreshToken() == null) {
            throw new FreshBooksException(200, "FreshBooks token response carried no refresh token", false);
        }
        String scope = tokens.getAccessToken().getScope() == null ? null : tokens.getAccessToken().getScope().toString();
        return new TokenGrant(tokens.getAccessToken().getValue(), tokens.getRefreshToken().getValue(), expires, scope);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
