package io.mlconnector.store;

import java.time.Instant;

/**
 * One FreshBooks business (DESIGN §4), discovered from /users/me.
 *
 * @param tenantId   the business's account_id
 * @param identityId the FreshBooks identity that authorized the connector, or null
 * @param grantId    the FreshBooks grant the tenant's tokens come from (shared by every business of the user
 *                   who authorized), or null before the first connect
 */
public record Tenant(String tenantId, long businessId, String businessUuid, String businessName, Long identityId,
                     TenantStatus status, String statusReason, Instant createdAt, Instant updatedAt, String grantId) {

    /** Whether the connector can work for the tenant. */
    public enum TenantStatus {
        ACTIVE("active"), NEEDS_REAUTHORIZATION("needs_reauthorization");

        private final String dbValue;

        TenantStatus(String dbValue) {
            this.dbValue = dbValue;
        }

        public String dbValue() {
            return dbValue;
        }

        static TenantStatus fromDb(String value) {
            for (TenantStatus status : values()) {
                if (status.dbValue.equals(value)) {
                    return status;
                }
            }
            throw new IllegalStateException("unknown tenant status in the database: " + value);
        }
    }
}
