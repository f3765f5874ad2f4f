package io.mlconnector.store;

import java.time.Instant;

/**
 * A FreshBooks token pair as the token endpoint issued it (reference §2.4); the refresh token is single use
 * (reference §2.5). The OAuth client returns it and the store keeps it, so it lives with the store, which
 * knows nothing of HTTP.
 */
public record TokenGrant(String accessToken, String refreshToken, Instant accessExpiresAt, String scope) {

    @Override
    public String toString() {
        return "TokenGrant[expires " + accessExpiresAt + ", scope " + scope + "]"; // never print tokens
    }
}
