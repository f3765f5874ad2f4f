package io.mlconnector.sim.freshbooks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The identities and businesses the simulator knows; {@code /users/me} and tenant checks read it. */
public final class Directory {

    private final Map<Long, SimUser> users = new LinkedHashMap<>();

    public synchronized void add(SimUser user) {
        if (users.containsKey(user.identityId())) {
            throw new IllegalArgumentException("identity " + user.identityId() + " already exists");
        }
        users.put(user.identityId(), user);
    }

    public synchronized List<SimUser> users() {
        return List.copyOf(users.values());
    }

    public synchronized Optional<SimUser> user(long identityId) {
        return Optional.ofNullable(users.get(identityId));
    }

    public synchronized Optional<SimUser> userByEmail(String email) {
        return users.values().stream().filter(u -> u.email().equalsIgnoreCase(email)).findFirst();
    }

    public synchronized Optional<Membership> membership(long identityId, String accountId) {
        SimUser u = users.get(identityId);
        if (u == null) {
            return Optional.empty();
        }
        return u.memberships().stream().filter(m -> m.business().accountId().equals(accountId)).findFirst();
    }

    public synchronized Optional<Membership> membershipByUuid(long identityId, String businessUuid) {
        SimUser u = users.get(identityId);
        if (u == null) {
            return Optional.empty();
        }
        return u.memberships().stream().filter(m -> m.business().businessUuid().equals(businessUuid)).findFirst();
    }

    /** Every business, once, in the order first seen. */
    public synchronized List<SimBusiness> businesses() {
        Map<String, SimBusiness> out = new LinkedHashMap<>();
        users.values().forEach(u -> u.memberships().forEach(m -> out.putIfAbsent(m.business().accountId(), m.business())));
        return new ArrayList<>(out.values());
    }

    /** The owner (else first member) of a business: the actor the generator acts as. */
    public synchronized Optional<Map.Entry<SimUser, Membership>> ownerOf(String accountId) {
        Map.Entry<SimUser, Membership> first = null;
        for (SimUser u : users.values()) {
            for (Membership m : u.memberships()) {
                if (m.business().accountId().equals(accountId)) {
                    if ("owner".equals(m.role())) {
                        return Optional.of(Map.entry(u, m));
                    }
                    if (first == null) {
                        first = Map.entry(u, m);
                    }
                }
            }
        }
        return Optional.ofNullable(first);
    }
}
