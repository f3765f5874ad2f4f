package io.mlconnector.store;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.sql.SQLException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** OAuth grants, tokens encrypted with {@link SecretBox}; every write is on disk before it returns. */
public final class OAuthGrantRepository {

    private final Database database;
    private final SecretBox secrets;
    private final Clock clock;

    public OAuthGrantRepository(Database database, SecretBox secrets, Clock clock) {
        this.database = database;
        this.secrets = secrets;
        this.clock = clock;
    }

    static String accessContext(String tenantId) {
        return "oauth_grant/access/" + tenantId;
    }

    static String refreshContext(String tenantId) {
        return "oauth_grant/refresh/" + tenantId;
    }

    public Optional<OAuthGrant> find(String tenantId) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT tenant_id, access_token_enc, refresh_token_enc, access_expires_at, scope, version, updated_at"
                        + " FROM oauth_grant WHERE tenant_id = :id")
                .bind("id", tenantId)
                .map((rs, ctx) -> new OAuthGrant(tenantId,
                        secrets.decrypt(rs.getString("access_token_enc"), accessContext(tenantId)),
                        secrets.decrypt(rs.getString("refresh_token_enc"), refreshContext(tenantId)),
                        StoreTime.instant(rs, "access_expires_at"), rs.getString("scope"), rs.getLong("version"),
                        StoreTime.instant(rs, "updated_at")))
                .findOne());
    }

    /**
     * Stores new tokens if the stored grant is still at {@code expectedVersion} (0: there is no grant yet),
     * and returns the stored grant at the next version. Durable on return, so a rotated refresh token is
     * never lost after FreshBooks has invalidated the old one.
     *
     * @throws StaleVersionException when another refresh (or instance) got there first
     */
    public OAuthGrant replace(String tenantId, long expectedVersion, OAuthGrant.Tokens tokens) {
        Instant now = StoreTime.now(clock);
        long nextVersion = expectedVersion + 1;
        String accessEnc = secrets.encrypt(tokens.accessToken(), accessContext(tenantId));
        String refreshEnc = secrets.encrypt(tokens.refreshToken(), refreshContext(tenantId));
        try {
            store(tenantId, expectedVersion, nextVersion, accessEnc, refreshEnc, tokens, now);
        } catch (UnableToExecuteStatementException e) {
            if (isUniqueViolation(e)) { // two first grants raced; the other one won
                throw new StaleVersionException("oauth_grant for tenant " + tenantId + " was created concurrently");
            }
            throw e;
        }
        return new OAuthGrant(tenantId, tokens.accessToken(), tokens.refreshToken(),
                StoreTime.utc(tokens.accessExpiresAt()).toInstant(), tokens.scope(), nextVersion, now);
    }

    private void store(String tenantId, long expectedVersion, long nextVersion, String accessEnc, String refreshEnc,
                       OAuthGrant.Tokens tokens, Instant now) {
        database.inDurableTransaction(handle -> {
            int changed;
            if (expectedVersion == 0) {
                boolean exists = handle.createQuery("SELECT COUNT(*) FROM oauth_grant WHERE tenant_id = :id")
                        .bind("id", tenantId).mapTo(Long.class).one() > 0;
                changed = exists ? 0 : handle.createUpdate("INSERT INTO oauth_grant (tenant_id, access_token_enc,"
                                + " refresh_token_enc, access_expires_at, scope, version, updated_at)"
                                + " VALUES (:id, :access, :refresh, :expires, :scope, :version, :now)")
                        .bind("id", tenantId).bind("access", accessEnc).bind("refresh", refreshEnc)
                        .bind("expires", StoreTime.utc(tokens.accessExpiresAt())).bind("scope", tokens.scope())
                        .bind("version", nextVersion).bind("now", StoreTime.utc(now))
                        .execute();
            } else {
                changed = handle.createUpdate("UPDATE oauth_grant SET access_token_enc = :access, refresh_token_enc = :refresh,"
                                + " access_expires_at = :expires, scope = :scope, version = :version, updated_at = :now"
                                + " WHERE tenant_id = :id AND version = :expected")
                        .bind("id", tenantId).bind("access", accessEnc).bind("refresh", refreshEnc)
                        .bind("expires", StoreTime.utc(tokens.accessExpiresAt())).bind("scope", tokens.scope())
                        .bind("version", nextVersion).bind("now", StoreTime.utc(now)).bind("expected", expectedVersion)
                        .execute();
            }
            if (changed != 1) {
                throw new StaleVersionException("oauth_grant for tenant " + tenantId + " is no longer at version " + expectedVersion);
            }
            return null;
        });
    }

    static boolean isUniqueViolation(UnableToExecuteStatementException e) {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }
}
