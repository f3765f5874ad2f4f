package io.mlconnector.sim.freshbooks;

/** A user's place in a business: {@code userId} is the per-account user id that webhooks carry as {@code user_id}. */
public record Membership(long membershipId, SimBusiness business, long userId, String role) {}
