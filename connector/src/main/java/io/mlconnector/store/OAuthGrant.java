package io.mlconnector.store;

import java.time.Instant;

/**
 * A tenant's user-delegated FreshBooks grant, decrypted. The refresh token is single use (DESIGN §5).
 *
 * @param version increases by one on every {@link OAuthGrantRepository#replace}; the optimistic lock
 */
public record OAuthGrant(String tenantId, String accessToken, String refreshToken, Instant accessExpiresAt, String scope,
                         long version, Instant updatedAt) {

    @Override
    public String toString() {
        return "OAuthGrant[tenantId=" + tenantId + ", accessToken=****, refreshToken=****, accessExpiresAt="
                + accessExpiresAt + ", scope=" + scope + ", version=" + version + ", updatedAt=" + updatedAt + "]";
    }

    /** The tokens from one token response, before they are stored. */
    public record Tokens(String accessToken, String refreshToken, Instant accessExpiresAt, String scope) {
        @Override
        public String toString() {
            return "Tokens[accessToken=****, refreshToken=****, accessExpiresAt=" + accessExpiresAt + ", scope=" + scope + "]";
        }
    }
}
