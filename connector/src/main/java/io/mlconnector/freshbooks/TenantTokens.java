package io.mlconnector.freshbooks;

import io.mlconnector.store.OAuthGrant;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.Tenant.TenantStatus;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TokenGrant;
import io.mlconnector.metrics.TokenRefreshes;
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
 * refresh tokens are single use, so a refresh happens once per grant across every instance sharing the store,
 * under the grant's row lock, and the rotated refresh token is committed (encrypted, on disk) before the new
 * access token is used. {@code invalid_grant} for the stored refresh token moves every tenant of the grant to
 * {@code needs_reauthorization} instead of retrying.
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
    /** How long to wait for another instance's refresh of the same grant: its token call, and a margin to commit. */
    private final Duration lockWait;
    private final TokenRefreshes refreshes;

    public TenantTokens(OAuthGrantRepository grants, TenantRepository tenants, FreshBooksOAuthClient oauth, Clock clock) {
        this(grants, tenants, oauth, clock, TokenRefreshes.NONE);
    }

    /** @param refreshes told of each refresh token call and its outcome (metrics) */
    public TenantTokens(OAuthGrantRepository grants, TenantRepository tenants, FreshBooksOAuthClient oauth, Clock clock,
                        TokenRefreshes refreshes) {
        this.refreshes = refreshes;
        this.grants = grants;
        this.tenants = tenants;
        this.oauth = oauth;
        this.clock = clock;
        this.lockWait = oauth.longestRequest().plusSeconds(15);
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

    /**
     * Refreshes under the JVM's lock for the grant (so one thread per instance waits on the store) and then the
     * grant's row lock in the store (so one instance calls FreshBooks), both taken before the grant is read again.
     */
    private String refresh(String tenantId, String grantId, long seenVersion) {
        ReentrantLock lock = lockFor(grantId);
        lock.lock();
        try {
            return grants.refreshLocked(grantId, lockWait,
                            current -> current.version() == seenVersion || expiresSoon(current),
                            current -> issue(tenantId, current))
                    .orElseThrow(() -> noGrant(tenantId)).accessToken();
        } catch (OAuthGrantRepository.GrantBusyException e) {
            throw new FreshBooksException(-1, e.getMessage() + "; trying again later", true);
        } finally {
            lock.unlock();
        }
    }

    /** The token call, made holding the grant's row lock: {@code current} is the grant as stored right now. */
    private TokenGrant issue(String tenantId, OAuthGrant current) {
        String grantId = current.grantId();
        Tenant tenant = tenants.find(tenantId).orElseThrow(() -> noGrant(tenantId));
        if (tenant.status() == TenantStatus.NEEDS_REAUTHORIZATION && grantId.equals(tenant.grantId())) {
            // FreshBooks already refused this grant; asking again with a spent token cannot help
            throw new InvalidGrantException("tenant " + tenantId + " needs reauthorization: " + tenant.statusReason());
        }
        try {
            TokenGrant issued = oauth.refresh(current.refreshToken());
            refreshes.refreshed();
            return issued;
        } catch (InvalidGrantException e) {
            refreshes.failed();
            // Under the lock nobody else can have rotated this version since we read it, so FreshBooks refused the
            // pair that is really stored: the grant is dead (a reconnect moves the version and is not touched).
            int marked = tenants.setStatusForGrant(grantId, current.version(), TenantStatus.NEEDS_REAUTHORIZATION,
                    "FreshBooks refused the refresh token (" + e.getMessage() + "); connect it again: mlc connect freshbooks, then open the link (/oauth/freshbooks/start?link=...)");
            log.error("grant {} ({} tenants) needs reauthorization: FreshBooks said {}", grantId, marked, e.getMessage());
            throw e;
        } catch (RuntimeException e) { // FreshBooks unreachable or failing: tried again with the next fetch
            refreshes.failed();
            throw e;
        }
    }

    private ReentrantLock lockFor(String grantId) {
        return locks.computeIfAbsent(grantId, id -> new ReentrantLock());
    }

    private OAuthGrant load(String tenantId) {
        return grants.findForTenant(tenantId).orElseThrow(() -> noGrant(tenantId));
    }

    private static InvalidGrantException noGrant(String tenantId) {
        return new InvalidGrantException("tenant " + tenantId + " has no FreshBooks grant; connect it: mlc connect freshbooks, then open the link (/oauth/freshbooks/start?link=...)");
    }

    private boolean expiresSoon(OAuthGrant grant) {
        return !grant.accessExpiresAt().isAfter(clock.instant().plus(REFRESH_MARGIN));
    }
}
