package io.mlconnector.metrics;

import java.time.Instant;
import java.util.Map;

/**
 * What the store-backed gauges read: cluster-wide figures, the same on every instance sharing the store. An
 * interface so that the gauges can be registered (and their names checked) without a store.
 */
public interface StoreReadings {
    /** Webhook events not processed yet. */
    long inboxPending();

    /** When the oldest unprocessed event arrived, or null. */
    Instant inboxOldestPending();

    /** Rows Power BI has not accepted yet. */
    long outboxUnsent();

    /** When the oldest row Power BI has not accepted was written, or null. */
    Instant outboxOldestUnsent();

    /** Tenants by state ({@code active}, {@code needs_reauthorization}). */
    Map<String, Long> tenantsByState();

    /** Every connected tenant's id. */
    java.util.List<String> tenantIds();

    /** Tables of the route blocked because the dataset does not match the mapping. */
    long blockedTables();

    /** Per tenant, when the oldest change not yet accepted by Power BI arrived as a webhook event (all causes). */
    Map<String, Instant> oldestWaitingChangeByTenant();
}
