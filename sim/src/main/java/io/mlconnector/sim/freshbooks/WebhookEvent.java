package io.mlconnector.sim.freshbooks;

import java.util.LinkedHashMap;

/** One change notification: the six delivery fields of reference §3.4 (no record data, no delivery id). */
public record WebhookEvent(String name, long objectId, String accountId, long businessId, long identityId, long userId) {

    /** The delivery form in FreshBooks' field order; values are strings, as on the wire. */
    public LinkedHashMap<String, String> form() {
        LinkedHashMap<String, String> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("object_id", Long.toString(objectId));
        f.put("account_id", accountId);
        f.put("business_id", Long.toString(businessId));
        f.put("identity_id", Long.toString(identityId));
        f.put("user_id", Long.toString(userId));
        return f;
    }

    /** {@code invoice} for {@code invoice.create}. */
    public String noun() {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
