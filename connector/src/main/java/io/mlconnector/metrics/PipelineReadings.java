package io.mlconnector.metrics;

import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.pipeline.WaitingChanges;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.TenantRepository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@link StoreReadings} from the pipeline's own queries (the same ones {@code mlc status} shows). */
public record PipelineReadings(InboxQueue inbox, Outbox outbox, TenantRepository tenants, SchemaGuard guard,
                               WaitingChanges waiting) implements StoreReadings {
    @Override
    public long inboxPending() {
        return inbox.pendingCount();
    }

    @Override
    public Instant inboxOldestPending() {
        return inbox.oldestPendingReceivedAt();
    }

    @Override
    public long outboxUnsent() {
        return outbox.unsentRowCount();
    }

    @Override
    public Instant outboxOldestUnsent() {
        return outbox.oldestUnsentCreatedAt();
    }

    @Override
    public Map<String, Long> tenantsByState() {
        return tenants.list().stream().collect(Collectors.groupingBy(t -> t.status().dbValue(), Collectors.counting()));
    }

    @Override
    public List<String> tenantIds() {
        return tenants.list().stream().map(Tenant::tenantId).toList();
    }

    @Override
    public long blockedTables() {
        return guard.verdicts().stream().filter(SchemaGuard.Verdict::blocked).count();
    }

    @Override
    public Map<String, Instant> oldestWaitingChangeByTenant() {
        return waiting.oldestByTenant();
    }
}
