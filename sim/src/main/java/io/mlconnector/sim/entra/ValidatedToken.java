package io.mlconnector.sim.entra;

import java.time.Instant;

/** Who a valid access token speaks for. */
public record ValidatedToken(String appId, String tenantId, String objectId, Instant expiresAt) {}
