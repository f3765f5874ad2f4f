package io.mlconnector.freshbooks;

/** One business a FreshBooks user belongs to, as discovered from {@code /users/me} (reference §2.9). */
public record Business(String accountId, long businessId, String businessUuid, String name, String role) {}
