package io.mlconnector.store;

import java.time.Instant;

/**
 * A FreshBooks webhook callback registered by the connector (freshbooks-api.md §3.3). Deliveries do not name
 * their callback, so each one gets its own URL, {@code /hooks/freshbooks/{uriToken}}, and the token says
 * which verifier signs them (§3.6).
 *
 * @param callbackId  FreshBooks' callbackid, or null until the registration answered
 * @param hasVerifier whether the callback.verify message has arrived (the verifier itself is encrypted)
 * @param verified    whether FreshBooks accepted the verifier; deliveries are accepted only then
 */
public record Callback(String uriToken, String tenantId, Long callbackId, String event, boolean hasVerifier,
                       boolean verified, Instant createdAt, Instant verifiedAt) {
}
