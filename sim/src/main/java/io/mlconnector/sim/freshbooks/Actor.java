package io.mlconnector.sim.freshbooks;

/** Who made a change: fills {@code identity_id} and {@code user_id} of the webhook it fires. */
public record Actor(long identityId, long userId) {}
