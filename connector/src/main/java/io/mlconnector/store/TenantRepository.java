package io.mlconnector.store;

import io.mlconnector.store.Tenant.TenantStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** Tenants: one row per FreshBooks business. */
public final class TenantRepository {

    private static final String COLUMNS = "tenant_id, business_id, business_uuid, business_name, identity_id, status,"
            + " status_reason, created_at, updated_at, grant_id";
    private static final RowMapper<Tenant> MAPPER = (rs, ctx) -> new Tenant(rs.getString("tenant_id"),
            rs.getLong("business_id"), rs.getString("business_uuid"), rs.getString("business_name"),
            rs.getObject("identity_id", Long.class), TenantStatus.fromDb(rs.getString("status")),
            rs.getString("status_reason"), StoreTime.instant(rs, "created_at"), StoreTime.instant(rs, "updated_at"), rs.getString("grant_id"));

    private final Database database;
    private final Clock clock;
    private final String upsert;

    public TenantRepository(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        // A re-discovery refreshes the business's names but keeps its status and creation time.
        this.upsert = database.dialect().upsert("tenant", List.of("tenant_id"),
                List.of("tenant_id", "business_id", "business_uuid", "business_name", "identity_id", "status", "created_at", "updated_at"),
                List.of("business_id", "business_uuid", "business_name", "identity_id", "updated_at"));
    }

    /** Inserts a newly discovered business as active, or updates the names of a known one. */
    public Tenant upsertFromDiscovery(String tenantId, long businessId, String businessUuid, String businessName, Long identityId) {
        Instant now = StoreTime.now(clock);
        return database.inDurableTransaction(handle -> {
            handle.createUpdate(upsert)
                    .bind("tenant_id", tenantId)
                    .bind("business_id", businessId)
                    .bind("business_uuid", businessUuid)
                    .bind("business_name", businessName)
                    .bind("identity_id", identityId)
                    .bind("status", TenantStatus.ACTIVE.dbValue())
                    .bind("created_at", StoreTime.utc(now))
                    .bind("updated_at", StoreTime.utc(now))
                    .execute();
            return handle.createQuery("SELECT " + COLUMNS + " FROM tenant WHERE tenant_id = :id")
                    .bind("id", tenantId).map(MAPPER).one();
        });
    }

    public Optional<Tenant> find(String tenantId) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM tenant WHERE tenant_id = :id")
                .bind("id", tenantId).map(MAPPER).findOne());
    }

    public List<Tenant> list() {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM tenant ORDER BY tenant_id").map(MAPPER).list());
    }

    /** The tenants that share one FreshBooks grant (the businesses of the user who authorized). */
    public List<Tenant> listByGrant(String grantId) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM tenant WHERE grant_id = :grant ORDER BY tenant_id")
                .bind("grant", grantId).map(MAPPER).list());
    }

    /**
     * Sets the status of every tenant of a grant, but only while the grant is still at {@code grantVersion}:
     * a verdict about a token pair must not land on tenants a reconnect has already moved past it. Returns
     * how many tenants changed.
     */
    public int setStatusForGrant(String grantId, long grantVersion, TenantStatus status, String reason) {
        return database.inDurableTransaction(handle -> handle
                .createUpdate("UPDATE tenant SET status = :status, status_reason = :reason, updated_at = :now"
                        + " WHERE grant_id = :grant"
                        + " AND EXISTS (SELECT 1 FROM oauth_grant g WHERE g.grant_id = :grant AND g.version = :version)")
                .bind("status", status.dbValue())
                .bind("reason", reason)
                .bind("now", StoreTime.utc(StoreTime.now(clock)))
                .bind("grant", grantId)
                .bind("version", grantVersion)
                .execute());
    }

    /** Sets the status (and the reason shown to users, or null); false when there is no such tenant. */
    public boolean setStatus(String tenantId, TenantStatus status, String reason) {
        return database.inDurableTransaction(handle -> handle
                .createUpdate("UPDATE tenant SET status = :status, status_reason = :reason, updated_at = :now WHERE tenant_id = :id")
                .bind("status", status.dbValue())
                .bind("reason", reason)
                .bind("now", StoreTime.utc(StoreTime.now(clock)))
                .bind("id", tenantId)
                .execute() == 1);
    }
}
