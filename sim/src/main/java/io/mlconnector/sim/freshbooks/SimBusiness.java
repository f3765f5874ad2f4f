package io.mlconnector.sim.freshbooks;

/** One FreshBooks business: the three tenant identifiers of reference §1 and its home currency. */
public record SimBusiness(String accountId, long businessId, String businessUuid, String name, String currencyCode) {}
