package io.mlconnector.store;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FreshBooks grants by grant id, tokens encrypted with {@link SecretBox}; tenants refer to their grant
 * ({@code tenant.grant_id}). Every write is on disk before it returns.
 */
public final class OAuthGrantRepository {
    private static final Logger log = LoggerFactory.getLogger(OAuthGrantRepository.class);
    /** How many more times a new token pair is written when the commit that should have stored it failed. */
    static final int COMMIT_RETRIES = 4;
    static final Duration FIRST_COMMIT_RETRY_PAUSE = Duration.ofMillis(100);
    // A lock wait that ran out: statement cancelled by its timeout (both), H2's lock timeout, PostgreSQL's.
    private static final Set<String> LOCK_WAIT_ENDED = Set.of("57014", "HYT00", "55P03");

    private static final String COLUMNS = "g.grant_id, g.identity_id, g.access_token_enc, g.refresh_token_enc,"
            + " g.access_expires_at, g.scope, g.version, g.updated_at";

    private final Database database;
    private final SecretBox secrets;
    private final Clock clock;
    private final RowMapper<OAuthGrant> mapper;

    public OAuthGrantRepository(Database database, SecretBox secrets, Clock clock) {
        this.database = database;
        this.secrets = secrets;
        this.clock = clock;
        this.mapper = (rs, ctx) -> {
            String grantId = rs.getString("grant_id");
            TokenGrant tokens = new TokenGrant(
                    secrets.decrypt(rs.getString("access_token_enc"), accessContext(grantId)),
                    secrets.decrypt(rs.getString("refresh_token_enc"), refreshContext(grantId)),
                    StoreTime.instant(rs, "access_expires_at"), rs.getString("scope"));
            return new OAuthGrant(grantId, rs.getObject("identity_id", Long.class), tokens, rs.getLong("version"),
                    StoreTime.instant(rs, "updated_at"));
        };
    }

    // The ciphertext is bound to its grant, so a token copied into another grant's row does not decrypt.
    static String accessContext(String grantId) {
        return "oauth_grant/access/" + grantId;
    }

    static String refreshContext(String grantId) {
        return "oauth_grant/refresh/" + grantId;
    }

    public Optional<OAuthGrant> find(String grantId) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM oauth_grant g WHERE g.grant_id = :id")
                .bind("id", grantId).map(mapper).findOne());
    }

    /** The grant a tenant refers to; empty when the tenant is unknown or was never connected. */
    public Optional<OAuthGrant> findForTenant(String tenantId) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM tenant t JOIN oauth_grant g ON g.grant_id = t.grant_id"
                        + " WHERE t.tenant_id = :id")
                .bind("id", tenantId).map(mapper).findOne());
    }

    /**
     * Refreshes a grant with its row locked ({@code SELECT ... FOR UPDATE}) from before the token call until the
     * new pair is committed, so instances sharing the store spend each single-use refresh token once. The grant
     * is read again under the lock and {@code needsRefresh} decides: false (another instance or thread refreshed
     * meanwhile) returns it as read without calling {@code issue}. Otherwise {@code issue} makes the token call
     * (under the lock, so whatever it concludes about this version of the grant still holds) and its pair is
     * written in the same transaction. If that commit fails the pair is written again in place a few times,
     * since FreshBooks has already spent the old refresh token.
     *
     * @param lockWait how long to wait for another holder (whose token call is bounded by its timeout)
     * @return the grant as stored afterwards; empty when there is no such grant
     * @throws GrantBusyException when the lock was not free within {@code lockWait}
     */
    public Optional<OAuthGrant> refreshLocked(String grantId, Duration lockWait, Predicate<OAuthGrant> needsRefresh,
                                              Function<OAuthGrant, TokenGrant> issue) {
        AtomicBoolean locked = new AtomicBoolean();
        AtomicReference<Issued> issued = new AtomicReference<>();
        AtomicReference<RuntimeException> refused = new AtomicReference<>();
        Optional<OAuthGrant> stored;
        try {
            stored = database.inDurableTransaction(handle -> {
                Optional<OAuthGrant> current = handle.createQuery("SELECT " + COLUMNS + " FROM oauth_grant g"
                                + " WHERE g.grant_id = :id FOR UPDATE")
                        .setQueryTimeout((int) Math.max(1, lockWait.toSeconds()))
                        .bind("id", grantId).map(mapper).findOne();
                locked.set(true);
                if (current.isEmpty() || !needsRefresh.test(current.get())) {
                    return current;
                }
                TokenGrant tokens;
                try {
                    tokens = issue.apply(current.get());
                } catch (RuntimeException e) {
                    // Commit, not roll back: what issue stored under the lock (tenants marked as needing
                    // reauthorization) ran in this transaction, as store calls on this thread join it.
                    refused.set(e);
                    return current;
                }
                issued.set(new Issued(current.get().version(), tokens));
                return Optional.of(write(handle, grantId, current.get().version(), tokens));
            });
        } catch (UnableToExecuteStatementException e) {
            if (!locked.get() && e.getCause() instanceof SQLException sql && LOCK_WAIT_ENDED.contains(sql.getSQLState())) {
                throw new GrantBusyException("oauth_grant " + grantId + ": another instance held its refresh lock for over "
                        + lockWait.toSeconds() + " s", e);
            }
            return commitAgain(grantId, issued.get(), e);
        } catch (RuntimeException e) {
            return commitAgain(grantId, issued.get(), e);
        }
        if (refused.get() != null) {
            throw refused.get();
        }
        return stored;
    }

    private record Issued(long fromVersion, TokenGrant tokens) {}

    /** After the transaction of {@link #refreshLocked} failed: rethrows, or stores the pair it had issued. */
    private Optional<OAuthGrant> commitAgain(String grantId, Issued issued, RuntimeException failure) {
        if (issued == null) {
            throw failure; // no token was spent
        }
        RuntimeException last = failure;
        Duration pause = FIRST_COMMIT_RETRY_PAUSE;
        for (int retry = 1; retry <= COMMIT_RETRIES; retry++) {
            log.warn("grant {}: storing the rotated token pair failed ({}); writing it again ({}/{})", grantId, last.toString(),
                    retry, COMMIT_RETRIES);
            try {
                return Optional.of(database.inDurableTransaction(handle -> {
                    OAuthGrant stored = write(handle, grantId, issued.fromVersion(), issued.tokens());
                    // Without our lock another instance may have spent the old refresh token meanwhile and marked
                    // the grant dead; the pair just stored is live, so its tenants can work.
                    handle.createUpdate("UPDATE tenant SET status = :active, status_reason = NULL, updated_at = :now"
                                    + " WHERE grant_id = :grant AND status = :dead")
                            .bind("active", Tenant.TenantStatus.ACTIVE.dbValue())
                            .bind("dead", Tenant.TenantStatus.NEEDS_REAUTHORIZATION.dbValue())
                            .bind("now", StoreTime.utc(stored.updatedAt())).bind("grant", grantId).execute();
                    return stored;
                }));
            } catch (StaleVersionException e) {
                // The commit did land (only what followed it failed), or the user reconnected meanwhile: either way
                // the stored pair is the one to use.
                return find(grantId);
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pause = pause.multipliedBy(2);
        }
        log.error("grant {}: could not store the rotated token pair; FreshBooks has spent the old refresh token, so its"
                + " businesses will need to be connected again unless a retry finds the pair stored", grantId);
        throw last;
    }

    /**
     * Stores a refreshed token pair if the grant is still at {@code expectedVersion}, and returns it at the
     * next version. Durable on return, so a rotated refresh token is never lost after FreshBooks has
     * invalidated the old one.
     *
     * @throws StaleVersionException when another refresh, a reconnect or another instance got there first
     */
    public OAuthGrant replace(String grantId, long expectedVersion, TokenGrant tokens) {
        return database.inDurableTransaction(handle -> write(handle, grantId, expectedVersion, tokens));
    }

    private OAuthGrant write(Handle handle, String grantId, long expectedVersion, TokenGrant tokens) {
        Instant now = StoreTime.now(clock);
        long nextVersion = expectedVersion + 1;
        int changed = handle.createUpdate("UPDATE oauth_grant SET access_token_enc = :access, refresh_token_enc = :refresh,"
                        + " access_expires_at = :expires, scope = :scope, version = :version, updated_at = :now"
                        + " WHERE grant_id = :id AND version = :expected")
                .bind("id", grantId)
                .bind("access", secrets.encrypt(tokens.accessToken(), accessContext(grantId)))
                .bind("refresh", secrets.encrypt(tokens.refreshToken(), refreshContext(grantId)))
                .bind("expires", StoreTime.utc(tokens.accessExpiresAt())).bind("scope", tokens.scope())
                .bind("version", nextVersion).bind("now", StoreTime.utc(now)).bind("expected", expectedVersion)
                .execute();
        if (changed != 1) {
            throw new StaleVersionException("oauth_grant " + grantId + " is no longer at version " + expectedVersion);
        }
        Long identityId = handle.createQuery("SELECT identity_id FROM oauth_grant WHERE grant_id = :id")
                .bind("id", grantId).mapTo(Long.class).one();
        return new OAuthGrant(grantId, identityId, stored(tokens), nextVersion, now);
    }

    /**
     * A (re)connect: stores the token pair FreshBooks just issued for {@code identityId} as grant
     * {@code grantId} whatever version it was at (a new authorization supersedes the old pair), points
     * {@code tenantIds} at it, and makes every tenant of the grant active again, in one durable transaction.
     * The tenants must exist.
     */
    public OAuthGrant connect(String grantId, long identityId, TokenGrant tokens, List<String> tenantIds) {
        try {
            return connectOnce(grantId, identityId, tokens, tenantIds);
        } catch (UnableToExecuteStatementException e) {
            if (isUniqueViolation(e)) { // two first connects raced; the row exists now, so this one updates it
                return connectOnce(grantId, identityId, tokens, tenantIds);
            }
            throw e;
        }
    }

    private OAuthGrant connectOnce(String grantId, long identityId, TokenGrant tokens, List<String> tenantIds) {
        Instant now = StoreTime.now(clock);
        String accessEnc = secrets.encrypt(tokens.accessToken(), accessContext(grantId));
        String refreshEnc = secrets.encrypt(tokens.refreshToken(), refreshContext(grantId));
        long version = database.inDurableTransaction(handle -> {
            int updated = handle.createUpdate("UPDATE oauth_grant SET identity_id = :identity, access_token_enc = :access,"
                            + " refresh_token_enc = :refresh, access_expires_at = :expires, scope = :scope,"
                            + " version = version + 1, updated_at = :now WHERE grant_id = :id")
                    .bind("id", grantId).bind("identity", identityId).bind("access", accessEnc).bind("refresh", refreshEnc)
                    .bind("expires", StoreTime.utc(tokens.accessExpiresAt())).bind("scope", tokens.scope())
                    .bind("now", StoreTime.utc(now))
                    .execute();
            if (updated == 0) {
                handle.createUpdate("INSERT INTO oauth_grant (grant_id, identity_id, access_token_enc, refresh_token_enc,"
                                + " access_expires_at, scope, version, updated_at)"
                                + " VALUES (:id, :identity, :access, :refresh, :expires, :scope, 1, :now)")
                        .bind("id", grantId).bind("identity", identityId).bind("access", accessEnc).bind("refresh", refreshEnc)
                        .bind("expires", StoreTime.utc(tokens.accessExpiresAt())).bind("scope", tokens.scope())
                        .bind("now", StoreTime.utc(now))
                        .execute();
            }
            attach(handle, grantId, tenantIds, now);
            return handle.createQuery("SELECT version FROM oauth_grant WHERE grant_id = :id")
                    .bind("id", grantId).mapTo(Long.class).one();
        });
        return new OAuthGrant(grantId, identityId, stored(tokens), version, now);
    }

    private static void attach(Handle handle, String grantId, List<String> tenantIds, Instant now) {
        if (!tenantIds.isEmpty()) {
            handle.createUpdate("UPDATE tenant SET grant_id = :grant WHERE tenant_id IN (<ids>)")
                    .bind("grant", grantId).bindList("ids", tenantIds).execute();
        }
        handle.createUpdate("UPDATE tenant SET status = :active, status_reason = NULL, updated_at = :now WHERE grant_id = :grant")
                .bind("active", Tenant.TenantStatus.ACTIVE.dbValue()).bind("now", StoreTime.utc(now))
                .bind("grant", grantId).execute();
    }

    /** The tokens as read back from the columns (timestamps at the precision both databases keep). */
    private static TokenGrant stored(TokenGrant tokens) {
        return new TokenGrant(tokens.accessToken(), tokens.refreshToken(),
                StoreTime.utc(tokens.accessExpiresAt()).toInstant(), tokens.scope());
    }

    static boolean isUniqueViolation(UnableToExecuteStatementException e) {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }

    /** Another instance held a grant's refresh lock longer than the caller would wait; try again later. */
    public static final class GrantBusyException extends RuntimeException {
        GrantBusyException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
