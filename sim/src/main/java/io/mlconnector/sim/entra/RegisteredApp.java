package io.mlconnector.sim.entra;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * An app registration (service principal) the Entra simulator knows: which tenant it lives in, its client id
 * and secret, and the object id its tokens carry as {@code oid}.
 */
public record RegisteredApp(String tenantId, String clientId, String clientSecret, String displayName, String objectId) {

    /** The credentials {@code ./mlc sim} and the demo use. */
    public static final RegisteredApp DEMO = of("11111111-1111-1111-1111-111111111111",
            "22222222-2222-2222-2222-222222222222", "demo-secret", "ml-connector demo");

    public RegisteredApp {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(objectId, "objectId");
    }

    /** An app whose object id is derived from its client id, so runs are repeatable. */
    public static RegisteredApp of(String tenantId, String clientId, String clientSecret, String displayName) {
        String objectId = UUID.nameUUIDFromBytes(("sp:" + clientId).getBytes(StandardCharsets.UTF_8)).toString();
        return new RegisteredApp(tenantId, clientId, clientSecret, displayName, objectId);
    }

    @Override
    public String toString() { // never print the secret
        return "RegisteredApp[tenantId=" + tenantId + ", clientId=" + clientId + ", displayName=" + displayName + "]";
    }
}
