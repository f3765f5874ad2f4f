package io.mlconnector.sim.freshbooks;

import java.util.List;

/** A FreshBooks identity (what {@code /users/me} describes) and the businesses it belongs to. */
public record SimUser(long identityId, String identityUuid, String email, String firstName, String lastName,
                      List<Membership> memberships) {

    public SimUser {
        memberships = List.copyOf(memberships);
    }
}
