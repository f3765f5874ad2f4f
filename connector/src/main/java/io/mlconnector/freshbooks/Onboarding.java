package io.mlconnector.freshbooks;

import io.mlconnector.store.Tenant;
import io.mlconnector.store.TenantRepository;
import java.util.ArrayList;
import java.util.List;

/**
 * Connects FreshBooks businesses: the authorization code becomes a token pair, {@code /users/me} names
 * the businesses (tenant ids are discovered, never typed), and each business becomes a tenant holding
 * its own copy of the grant.
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
     * clients appear as further memberships). Returns the connected tenants.
     */
    public List<Tenant> connect(String authorizationCode) {
        TokenGrant grant = oauth.exchangeCode(authorizationCode);
        Identity identity = api.me(grant.accessToken());
        List<Tenant> connected = new ArrayList<>();
        for (Business business : identity.businesses()) {
            if (!business.role().equals("owner") && !business.role().equals("admin")) {
                continue; // clients and employees cannot read the books
            }
            tenants.upsertFromDiscovery(business.accountId(), business.businessId(), business.businessUuid(),
                    business.name(), identity.identityId());
            tokens.storeNewGrant(business.accountId(), grant);
            connected.add(tenants.find(business.accountId()).orElseThrow());
        }
        if (connected.isEmpty()) {
            throw new IllegalStateException("the FreshBooks user " + identity.email()
                    + " owns or administers no business with accounting; nothing to connect");
        }
        return connected;
    }
}
