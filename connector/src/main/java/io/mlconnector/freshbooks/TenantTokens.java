package io.mlconnector.freshbooks;

import io.mlconnector.store.OAuthGrant;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.StaleVersionException;
import io.mlconnector.store.Tenant.TenantStatus;
import io.mlconnector.store.TenantRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out each tenant's FreshBooks access token, refreshing it shortly before it expires. FreshBooks'
 * refresh tokens are single use, so a refresh happens under the tenant's lock, and the rotated refresh
 * token is committed (encrypted, on disk) before the new access token is used. {@code invalid_grant}
 * moves the tenant to {@code needs_reauthorization} instead of retrying.
 */
public final class TenantTokens implements AccessTokens {
    private static final Logger log = LoggerFactory.getLogger(TenantTokens.class);
    /** Refresh this long before expiry, so a token never runs out in the middle of a fetch. */
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

    private final OAuthGrantRepository grants;
    private final TenantRepository tenants;
    private final FreshBooksOAuthClient oauth;
    private final Clock clock;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public TenantTokens(OAuthGrantRepository grants, TenantRepository tenants, FreshBooksOAuthClient oauth, Clock clock) {
        this.grants = grants;
        this.tenants = tenants;
        this.oauth = oauth;
        this.clock = clock;
    }

    @Override
    public String accessToken(String tenantId) {
        OAuthGrant grant = load(tenantId);
        if (!expiresSoon(grant)) {
            return grant.accessToken();
        }
        return refresh(tenantId, grant.version());
    }

    @Override
    public String refreshAfterRejection(String tenantId, String rejected) {
        OAuthGrant grant = load(tenantId);
        if (!grant.accessToken().equals(rejected)) {
            return grant.accessToken(); // someone refreshed since
        }
        return refresh(tenantId, grant.version());
    }

    /** Stores the first grant of a newly connected tenant (or a reconnected one) and reactivates it. */
    public void storeNewGrant(String tenantId, TokenGrant tokens) {
        long version = grants.find(tenantId).map(OAuthGrant::version).orElse(0L);
        grants.replace(tenantId, version, toStored(tokens));
        tenants.setStatus(tenantId, TenantStatus.ACTIVE, null);
    }

    private String refresh(String tenantId, long seenVersion) {
        ReentrantLock lock = locks.computeIfAbsent(tenantId, id -> new ReentrantLock());
        lock.lock();
        try {
            OAuthGrant current = load(tenantId);
            if (current.version() != seenVersion && !expiresSoon(current)) {
                return current.accessToken(); // refreshed by another thread while we waited
            }
            TokenGrant fresh;
            try {
                fresh = oauth.refresh(current.refreshToken());
            } catch (InvalidGrantException e) {
                OAuthGrant again = load(tenantId);
                if (again.version() != current.version()) {
                    return again.accessToken(); // another instance rotated it first; ours was already spent
                }
                tenants.setStatus(tenantId, TenantStatus.NEEDS_REAUTHORIZATION,
                        "FreshBooks refused the refresh token (" + e.getMessage() + "); run `mlc connect` again");
                log.error("tenant {} needs reauthorization: FreshBooks said {}", tenantId, e.getMessage());
                throw e;
            }
            try {
                // Committed before use: the old refresh token is already spent.
                return grants.replace(tenantId, current.version(), toStored(fresh)).accessToken();
            } catch (StaleVersionException e) {
                log.warn("tenant {}: grant changed while refreshing; using the stored one", tenantId);
                return load(tenantId).accessToken();
            }
        } finally {
            lock.unlock();
        }
    }

    private OAuthGrant load(String tenantId) {
        return grants.find(tenantId).orElseThrow(() -> new InvalidGrantException(
                "tenant " + tenantId + " has no FreshBooks grant; run `mlc connect`"));
    }

    private boolean expiresSoon(OAuthGrant grant) {
        return !grant.accessExpiresAt().isAfter(clock.instant().plus(REFRESH_MARGIN));
    }

    private static OAuthGrant.Tokens toStored(TokenGrant tokens) {
        return new OAuthGrant.Tokens(tokens.accessToken(), tokens.refreshToken(), tokens.accessExpiresAt(), tokens.scope());
    }
}
