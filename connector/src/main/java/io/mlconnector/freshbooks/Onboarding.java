package io.mlconnector.freshbooks;

import io.mlconnector.store.Tenant;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TokenGrant;
import java.util.List;

/**
 * Connects FreshBooks businesses: the authorization code becomes a token pair, {@code /users/me} names
 * the user and their businesses (tenant ids are discovered, never typed), each business becomes a tenant,
 * and all of them share the user's one grant (refresh tokens rotate, so copies would die one by one).
 */
public final class Onboarding {
    private final FreshBooksOAuthClient oauth;
    private final FreshBooksApiClient api;
    private final TenantRepository tenants;
    private final TenantTokens tokens;

    public Onboarding(FreshBooksOAuthClient oauth, FreshBooksApiClient api, TenantRepository tenants, TenantTokens tokens) {
        this.oauth = oauth;
        this.api = api;
        this.tenants = tenants;
        this.tokens = tokens;
    }

    /**
     * Exchanges the code and connects every business the user owns or administers (an accountant's
     * clients appear as further memberships). Connecting the same user again replaces their grant and
     * reactivates its tenants. Returns the connected tenants.
     */
    public List<Tenant> connect(String authorizationCode) {
        TokenGrant grant = oauth.exchangeCode(authorizationCode);
        Identity identity = api.me(grant.accessToken());
        List<Business> connectable = identity.businesses().stream()
                .filter(b -> b.role().equals("owner") || b.role().equals("admin")) // clients and employees cannot read the books
                .toList();
        if (connectable.isEmpty()) {
            throw new IllegalStateException("the FreshBooks user " + identity.email()
                    + " owns or administers no business with accounting; nothing to connect");
        }
        for (Business business : connectable) {
            tenants.upsertFromDiscovery(business.accountId(), business.businessId(), business.businessUuid(),
                    business.name(), identity.identityId());
        }
        List<String> tenantIds = connectable.stream().map(Business::accountId).toList();
        tokens.connect(identity.identityId(), grant, tenantIds);
        return tenantIds.stream().map(id -> tenants.find(id).orElseThrow()).toList();
    }
}
