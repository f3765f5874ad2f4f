package io.mlconnector.sim.powerbi;

import java.time.Instant;
import java.util.Map;

/** What the simulator tells about a dataset: identity, settings, and each table's row count (in table order). */
public record DatasetSummary(String id, String groupId, String name, String defaultMode, RetentionPolicy retention,
                             Instant createdAt, String configuredBy, Map<String, Integer> rowCounts) {}
