package io.mlconnector.sim.entra;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The app registrations the Entra simulator knows, per tenant. Thread-safe. */
public final class AppRegistry {
    private final Map<String, RegisteredApp> appsByTenantAndClient = new ConcurrentHashMap<>();

    public void register(RegisteredApp app) {
        appsByTenantAndClient.put(key(app.tenantId(), app.clientId()), app);
    }

    public Optional<RegisteredApp> find(String tenantId, String clientId) {
        return Optional.ofNullable(appsByTenantAndClient.get(key(tenantId, clientId)));
    }

    /** A tenant exists when at least one app is registered in it. */
    public boolean hasTenant(String tenantId) {
        return appsByTenantAndClient.values().stream().anyMatch(app -> app.tenantId().equalsIgnoreCase(tenantId));
    }

    public List<RegisteredApp> all() {
        return List.copyOf(appsByTenantAndClient.values());
    }

    private static String key(String tenantId, String clientId) {
        return tenantId.toLowerCase(java.util.Locale.ROOT) + "/" + clientId.toLowerCase(java.util.Locale.ROOT);
    }
}
