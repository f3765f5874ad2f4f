package io.mlconnector.sim.freshbooks;

import java.util.List;

/** A registered FreshBooks OAuth application. {@code scopes} are what it may be granted (reference §2.7). */
public record OAuthApp(String clientId, String clientSecret, List<String> redirectUris, List<String> scopes) {

    public OAuthApp {
        redirectUris = List.copyOf(redirectUris);
        scopes = List.copyOf(scopes);
    }
}
