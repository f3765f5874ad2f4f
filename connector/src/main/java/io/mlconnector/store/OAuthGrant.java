package io.mlconnector.store;

import java.time.Instant;

/**
 * A stored FreshBooks grant, decrypted. It belongs to the FreshBooks user who authorized, so every tenant
 * (business) that user connected refers to it; its refresh token is single use (DESIGN §5).
 *
 * @param grantId    {@link #forIdentity} for grants made by {@code connect}; a migrated per-tenant grant
 *                   keeps its old tenant id
 * @param identityId the FreshBooks identity that authorized, or null for a migrated grant
 * @param version    increases by one on every write; the optimistic lock
 */
public record OAuthGrant(String grantId, Long identityId, TokenGrant tokens, long version, Instant updatedAt) {

    /** The grant id of whatever the FreshBooks identity authorized last: one grant per user. */
    public static String forIdentity(long identityId) {
        return "identity-" + identityId;
    }

    public String accessToken() {
        return tokens.accessToken();
    }

    public String refreshToken() {
        return tokens.refreshToken();
    }

    public Instant accessExpiresAt() {
        return tokens.accessExpiresAt();
    }

    @Override
    public String toString() {
        return "OAuthGrant[grantId=" + grantId + ", identityId=" + identityId + ", " + tokens + ", version=" + version
                + ", updatedAt=" + updatedAt + "]";
    }
}
