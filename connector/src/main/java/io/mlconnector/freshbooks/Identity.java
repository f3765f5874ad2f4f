package io.mlconnector.freshbooks;

import java.util.List;

/** The FreshBooks user behind a grant, and the businesses they can connect. */
public record Identity(long identityId, String email, List<Business> businesses) {}
