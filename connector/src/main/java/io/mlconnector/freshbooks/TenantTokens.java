package io.mlconnector.freshbooks;

import io.mlconnector.store.OAuthGrant;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.StaleVersionException;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.Tenant.TenantStatus;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TokenGrant;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out each tenant's FreshBooks access token, refreshing it shortly before it expires. A grant belongs
 * to the FreshBooks user who authorized, and all the businesses that user connected share it; FreshBooks'
 * refresh tokens are single use, so a refresh happens once per grant under the grant's lock, and the
 * rotated refresh token is committed (encrypted, on disk) before the new access token is used.
 * {@code invalid_grant} moves every tenant of the grant to {@code needs_reauthorization} instead of retrying.
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
        return refresh(tenantId, grant.grantId(), grant.version());
    }

    @Override
    public String refreshAfterRejection(String tenantId, String rejected) {
        OAuthGrant grant = load(tenantId);
        if (!grant.accessToken().equals(rejected)) {
            return grant.accessToken(); // someone refreshed since
        }
        return refresh(tenantId, grant.grantId(), grant.version());
    }

    /**
     * Stores the token pair a FreshBooks user just granted as that user's one grant, replacing the pair of an
     * earlier connect, and points {@code tenantIds} (existing tenants) at it; every tenant of the grant is
     * active again. Returns the grant id.
     */
    public String connect(long identityId, TokenGrant tokens, List<String> tenantIds) {
        String grantId = OAuthGrant.forIdentity(identityId);
        ReentrantLock lock = lockFor(grantId);
        lock.lock();
        try {
            grants.connect(grantId, identityId, tokens, tenantIds);
            return grantId;
        } finally {
            lock.unlock();
        }
    }

    private String refresh(String tenantId, String grantId, long seenVersion) {
        ReentrantLock lock = lockFor(grantId);
        lock.lock();
        try {
            OAuthGrant current = grants.find(grantId).orElseThrow(() -> noGrant(tenantId));
            if (current.version() != seenVersion && !expiresSoon(current)) {
                return current.accessToken(); // refreshed by another thread (of any tenant of the grant) while we waited
            }
            Tenant tenant = tenants.find(tenantId).orElseThrow(() -> noGrant(tenantId));
            if (tenant.status() == TenantStatus.NEEDS_REAUTHORIZATION && grantId.equals(tenant.grantId())) {
                // FreshBooks already refused this grant; asking again with a spent token cannot help
                throw new InvalidGrantException("tenant " + tenantId + " needs reauthorization: " + tenant.statusReason());
            }
            TokenGrant fresh;
            try {
                fresh = oauth.refresh(current.refreshToken());
            } catch (InvalidGrantException e) {
                OAuthGrant again = grants.find(grantId).orElseThrow(() -> noGrant(tenantId));
                if (again.version() != current.version()) {
                    return again.accessToken(); // another instance rotated it (or the user reconnected) first
                }
                int marked = tenants.setStatusForGrant(grantId, current.version(), TenantStatus.NEEDS_REAUTHORIZATION,
                        "FreshBooks refused the refresh token (" + e.getMessage() + "); connect it again at /oauth/freshbooks/start");
                log.error("grant {} ({} tenants) needs reauthorization: FreshBooks said {}", grantId, marked, e.getMessage());
                throw e;
            }
            try {
                // Committed before use: the old refresh token is already spent.
                return grants.replace(grantId, current.version(), fresh).accessToken();
            } catch (StaleVersionException e) {
                log.warn("grant {}: changed while refreshing; using the stored one", grantId);
                return grants.find(grantId).orElseThrow(() -> noGrant(tenantId)).accessToken();
            }
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lockFor(String grantId) {
        return locks.computeIfAbsent(grantId, id -> new ReentrantLock());
    }

    private OAuthGrant load(String tenantId) {
        return grants.findForTenant(tenantId).orElseThrow(() -> noGrant(tenantId));
    }

    private static InvalidGrantException noGrant(String tenantId) {
        return new InvalidGrantException("tenant " + tenantId + " has no FreshBooks grant; connect it at /oauth/freshbooks/start");
    }

    private boolean expiresSoon(OAuthGrant grant) {
        return !grant.accessExpiresAt().isAfter(clock.instant().plus(REFRESH_MARGIN));
    }
}
