package io.mlconnector.sim.powerbi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One push dataset's mutable state; every field is guarded by the instance's monitor except {@link #pending}. */
final class PushDataset {
    final String id;
    final String groupId;
    final RetentionPolicy retention;
    final Instant createdAt;
    final String configuredBy;
    final DatasetQuota quota;
    /** POST rows requests received and not yet answered (limit 5, reference §4). */
    final AtomicInteger pending = new AtomicInteger();
    DatasetDefinition definition;
    final Map<String, List<StoredRow>> rowsByTable = new LinkedHashMap<>();
    long nextSequence = 1;
    /**
     * Per table, per calling app id: the highest push sequence number applied (§8). Kept through DELETE rows (an
     * assumption: nothing says deleting rows resets them), gone with the dataset.
     */
    final Map<String, Map<String, Long>> sequenceNumbers = new LinkedHashMap<>();

    PushDataset(String id, String groupId, DatasetDefinition definition, RetentionPolicy retention, Instant createdAt,
                String configuredBy, DatasetQuota quota) {
        this.id = id;
        this.groupId = groupId;
        this.definition = definition;
        this.retention = retention;
        this.createdAt = createdAt;
        this.configuredBy = configuredBy;
        this.quota = quota;
        definition.tables().forEach(t -> rowsByTable.put(t.name(), new ArrayList<>()));
    }

    boolean hasTableWithAtLeast(long rows) {
        return rowsByTable.values().stream().anyMatch(r -> r.size() >= rows);
    }
}
