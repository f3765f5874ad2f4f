package io.mlconnector.freshbooks;

/**
 * A tenant's current FreshBooks access token. Implementations refresh under a lock per grant that holds across
 * every instance sharing the store, and commit the rotated refresh token before handing out the new access
 * token (DESIGN §5).
 */
public interface AccessTokens {

    /** A token that is not about to expire; throws {@link InvalidGrantException} when the grant is gone. */
    String accessToken(String tenantId);

    /** FreshBooks refused {@code rejected} (401): refresh unless another thread already has, and return the new one. */
    String refreshAfterRejection(String tenantId, String rejected);
}
