package io.mlconnector.sim.powerbi;

import io.mlconnector.sim.powerbi.DatasetDefinition.Column;
import io.mlconnector.sim.powerbi.DatasetDefinition.Relationship;
import io.mlconnector.sim.powerbi.DatasetDefinition.Table;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * The Power BI push-dataset service behind the HTTP layer: workspaces and their members, datasets, tables and
 * rows in memory, with the validation, limits and quotas of reference powerbi-api.md. Every operation takes the
 * calling app's id and either returns a result or throws {@link PowerBiApiException} with the exact answer.
 * Thread-safe: one lock per dataset.
 */
public final class PushDatasetStore {

    private record Workspace(String id, String name, Map<String, WorkspaceRole> members) {}

    private final Clock clock;
    private final PushLimits limits;
    private final SchemaValidator schemaValidator;
    private final RowValidator rowValidator;
    private volatile PowerBiSettings settings;
    private final Map<String, Workspace> workspaces = new ConcurrentHashMap<>();
    private final Map<String, PushDataset> datasets = new ConcurrentHashMap<>();
    private final Map<String, String> displayNames = new ConcurrentHashMap<>();
    private final QueryRateLimit queryLimit = new QueryRateLimit();

    public PushDatasetStore(Clock clock, PushLimits limits, PowerBiSettings settings) {
        this.clock = clock;
        this.limits = limits;
        this.settings = settings;
        this.schemaValidator = new SchemaValidator(limits);
        this.rowValidator = new RowValidator(limits);
    }

    public PowerBiSettings settings() {
        return settings;
    }

    public void settings(PowerBiSettings settings) {
        this.settings = settings;
    }

    public PushLimits limits() {
        return limits;
    }

    public RowValidator rowValidator() {
        return rowValidator;
    }

    // ---- workspaces and members ----

    public void addWorkspace(String groupId, String name) {
        workspaces.putIfAbsent(groupId.toLowerCase(java.util.Locale.ROOT),
                new Workspace(groupId, name, new ConcurrentHashMap<>()));
    }

    /** Adds (or changes) a principal's role; {@code displayName} shows as the datasets' {@code configuredBy}. */
    public void addMember(String groupId, String appId, WorkspaceRole role) {
        Workspace workspace = workspaces.get(groupId.toLowerCase(java.util.Locale.ROOT));
        if (workspace == null) {
            throw new IllegalArgumentException("no workspace " + groupId);
        }
        workspace.members().put(appId, role);
    }

    public void removeMember(String groupId, String appId) {
        Workspace workspace = workspaces.get(groupId.toLowerCase(java.util.Locale.ROOT));
        if (workspace != null) {
            workspace.members().remove(appId);
        }
    }

    /** The name datasets created by this app show as {@code configuredBy} (else the app id). */
    public void setDisplayName(String appId, String displayName) {
        displayNames.put(appId, displayName);
    }

    // ---- dataset operations (reference §2.1) ----

    public DatasetSummary createDataset(String appId, String groupId, JsonNode body, String retentionParameter) {
        requireAccess(appId, groupId, true);
        if (!settings.datasetCreation()) {
            throw PowerBiApiException.featureDeprecated();
        }
        return createDatasetElsewhere(appId, groupId, body, retentionParameter);
    }

    /**
     * A dataset made another way than by this API call (by an earlier install before creation was refused, or by a
     * person with other tools): the {@code datasetCreation} switch does not apply. Tests use it for datasets to adopt.
     */
    public DatasetSummary createDatasetElsewhere(String appId, String groupId, JsonNode body, String retentionParameter) {
        requireAccess(appId, groupId, true);
        RetentionPolicy retention = RetentionPolicy.parse(retentionParameter).orElseThrow(() ->
                PowerBiApiException.invalidRequest("defaultRetentionPolicy '" + retentionParameter
                        + "' is not one of None, basicFIFO."));
        DatasetDefinition definition = schemaValidator.dataset(body);
        PushDataset dataset = new PushDataset(UUID.randomUUID().toString(), groupId, definition, retention,
                clock.instant(), displayNames.getOrDefault(appId, appId), new DatasetQuota(limits));
        datasets.put(dataset.id, dataset);
        return summary(dataset);
    }

    public List<DatasetSummary> datasets(String appId, String groupId) {
        requireAccess(appId, groupId, false);
        return datasets.values().stream().filter(d -> d.groupId.equalsIgnoreCase(groupId))
                .sorted(java.util.Comparator.comparing((PushDataset d) -> d.createdAt).thenComparing(d -> d.id))
                .map(PushDatasetStore::summary).toList();
    }

    public DatasetSummary dataset(String appId, String groupId, String datasetId) {
        requireAccess(appId, groupId, false);
        return summary(find(groupId, datasetId));
    }

    public void deleteDataset(String appId, String groupId, String datasetId) {
        requireAccess(appId, groupId, true);
        PushDataset dataset = find(groupId, datasetId);
        datasets.remove(dataset.id);
    }

    /** Table names only: the service does not return a push table's columns (reference §2.5). */
    public List<String> tableNames(String appId, String groupId, String datasetId) {
        requireAccess(appId, groupId, false);
        PushDataset dataset = find(groupId, datasetId);
        synchronized (dataset) {
            return dataset.definition.tables().stream().map(Table::name).toList();
        }
    }

    /**
     * Replaces a table's columns and measures (reference §2.6, simulator defaults): the body's name must equal the
     * path's; rows are kept, values of removed columns dropped, new columns blank. Strict choices where the
     * reference is silent: a column used by a relationship cannot be removed, and an existing column cannot change
     * its data type (both 400), because the service's behaviour there is unknown.
     */
    public Table putTable(String appId, String groupId, String datasetId, String tableName, JsonNode body) {
        requireAccess(appId, groupId, true);
        PushDataset dataset = find(groupId, datasetId);
        Table replacement = schemaValidator.table(body, "The table");
        if (!replacement.name().equals(tableName)) {
            throw PowerBiApiException.invalidRequest("The table name in the body ('" + replacement.name()
                    + "') must equal the table name in the path ('" + tableName + "').");
        }
        synchronized (dataset) {
            Table current = dataset.definition.table(tableName)
                    .orElseThrow(() -> PowerBiApiException.tableNotFound(datasetId, tableName));
            for (Column old : current.columns()) {
                Optional<Column> kept = replacement.column(old.name());
                if (kept.isEmpty()) {
                    for (Relationship r : dataset.definition.relationships()) {
                        if (r.uses(tableName, old.name())) {
                            throw PowerBiApiException.invalidRequest("Column '" + old.name() + "' of table '" + tableName
                                    + "' is used by relationship '" + r.name() + "' and cannot be removed.");
                        }
                    }
                } else if (kept.get().dataType() != old.dataType()) {
                    throw PowerBiApiException.invalidRequest("Column '" + old.name() + "' of table '" + tableName
                            + "' is " + old.dataType().apiName() + "; changing it to "
                            + kept.get().dataType().apiName() + " is not supported.");
                }
            }
            List<Table> tables = new ArrayList<>();
            for (Table t : dataset.definition.tables()) {
                tables.add(t.name().equals(tableName) ? replacement : t);
            }
            DatasetDefinition old = dataset.definition;
            dataset.definition = new DatasetDefinition(old.name(), old.defaultMode(), List.copyOf(tables), old.relationships());
            List<StoredRow> rows = dataset.rowsByTable.get(tableName);
            rows.replaceAll(row -> {
                Map<String, Object> values = new LinkedHashMap<>(row.values());
                values.keySet().removeIf(column -> replacement.column(column).isEmpty());
                return new StoredRow(row.sequence(), row.requestId(), row.arrivedAt(), java.util.Collections.unmodifiableMap(values));
            });
            return replacement;
        }
    }

    /**
     * Admits a POST rows request as pending (reference §4: at most 5 pending per dataset) after the access, dataset
     * and table checks. The caller must close the returned handle when the request is answered.
     */
    public PendingPost openPost(String appId, String groupId, String datasetId, String tableName) {
        requireAccess(appId, groupId, true);
        PushDataset dataset = find(groupId, datasetId);
        synchronized (dataset) {
            if (dataset.definition.table(tableName).isEmpty()) {
                throw PowerBiApiException.tableNotFound(datasetId, tableName);
            }
        }
        if (dataset.pending.incrementAndGet() > limits.maxPendingPosts()) {
            dataset.pending.decrementAndGet();
            // No time can be computed for requests still in flight; 1 s is the smallest whole-second wait.
            throw PowerBiApiException.tooManyRequests(1, "There are already " + limits.maxPendingPosts()
                    + " pending POST rows requests for this dataset; retry after one of them has completed.");
        }
        return new PendingPost(dataset, tableName, appId);
    }

    /** A POST rows request counted as pending until closed. */
    public static final class PendingPost implements AutoCloseable {
        private final PushDataset dataset;
        private final String tableName;
        private final String appId;
        private boolean closed;

        private PendingPost(PushDataset dataset, String tableName, String appId) {
            this.dataset = dataset;
            this.tableName = tableName;
            this.appId = appId;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                dataset.pending.decrementAndGet();
            }
        }
    }

    /**
     * Validates and appends the rows of a pending POST, all or nothing. Order: row validation (400), the
     * None-retention cap (400, see below), a row count above the whole hourly rows budget (400, see below), then
     * the quotas (429 with Retry-After). Only written requests count toward the quotas.
     *
     * <p>Retry-After is the time until the quota admits the same request (reference §5). A request with more rows
     * than {@code rowsPerHour} is never admitted, however long it waits, so it gets 400 with the reason instead of a
     * 429 a client would retry for ever. Only reachable with shrunk limits: the documented 10,000 rows per POST are
     * far below 1,000,000 rows per hour.
     *
     * <p>At the 5,000,000-row cap of a None-retention table the reference says nothing (open question 5); the strict
     * reading chosen here refuses the whole POST that would exceed it with 400 and writes nothing.
     *
     * <p>A push sequence number (§8; ignored when {@link PowerBiSettings#sequenceNumbers()} is off) not above the one
     * kept for this table and app is a duplicate: after row validation (a malformed request stays a 400) and before
     * the caps and quotas (a dropped duplicate uses no quota), it is answered 200 with nothing written, or 400 by the
     * switch. An applied number becomes the kept one.
     *
     * @param sequenceNumber the request's {@code X-PowerBI-PushData-SequenceNumber}, or null
     * @return whether the rows were written, and how many
     */
    public PostOutcome postRows(PendingPost post, JsonNode body, String requestId, Long sequenceNumber) {
        PushDataset dataset = post.dataset;
        synchronized (dataset) {
            Table table = dataset.definition.table(post.tableName)
                    .orElseThrow(() -> PowerBiApiException.tableNotFound(dataset.id, post.tableName));
            List<Map<String, Object>> rows = rowValidator.validate(body, table, settings.lenientRows());
            Map<String, Long> kept = dataset.sequenceNumbers.computeIfAbsent(table.name(), t -> new LinkedHashMap<>());
            boolean numbered = sequenceNumber != null && settings.sequenceNumbers();
            if (numbered && kept.containsKey(post.appId) && sequenceNumber <= kept.get(post.appId)) {
                if (settings.staleSequenceStatus() == 400) {
                    throw PowerBiApiException.staleSequenceNumber(sequenceNumber, kept.get(post.appId));
                }
                return new PostOutcome(false, 0);
            }
            List<StoredRow> stored = dataset.rowsByTable.get(table.name());
            if (dataset.retention == RetentionPolicy.NONE && stored.size() + rows.size() > limits.noneRetentionMaxRows()) {
                throw PowerBiApiException.invalidRequest("Table '" + table.name() + "' holds " + stored.size()
                        + " rows; adding " + rows.size() + " would exceed the limit of " + limits.noneRetentionMaxRows()
                        + " rows for a dataset without retention policy.");
            }
            if (rows.size() > limits.rowsPerHour()) {
                throw PowerBiApiException.invalidRequest("The request has " + rows.size() + " rows, more than the "
                        + limits.rowsPerHour() + " rows per hour allowed for this dataset, so it can never be"
                        + " accepted; split it into smaller requests.");
            }
            if (settings.strictRelationships()) {
                refuseDuplicateOnOneSide(dataset, table.name(), stored, rows);
            }
            Instant now = clock.instant();
            Optional<DatasetQuota.Refusal> refusal = dataset.quota.check(now, rows.size(),
                    dataset.hasTableWithAtLeast(limits.largeTableRows()));
            if (refusal.isPresent()) {
                throw PowerBiApiException.tooManyRequests(refusal.get().retryAfterSeconds(), refusal.get().message());
            }
            for (Map<String, Object> values : rows) {
                stored.add(new StoredRow(dataset.nextSequence++, requestId, now, values));
            }
            if (dataset.retention == RetentionPolicy.BASIC_FIFO && stored.size() > limits.fifoRows()) {
                stored.subList(0, (int) (stored.size() - limits.fifoRows())).clear();
            }
            dataset.quota.record(now, rows.size());
            if (numbered) {
                kept.put(post.appId, sequenceNumber);
            }
            return new PostOutcome(true, rows.size());
        }
    }

    /**
     * The engine's rule for the one side of a many-to-one relationship: each value at most once. Refused with the
     * engine's message (as import models give it; for push datasets the outcome is not documented).
     */
    private static void refuseDuplicateOnOneSide(PushDataset dataset, String tableName, List<StoredRow> stored,
                                                 List<Map<String, Object>> rows) {
        for (DatasetDefinition.Relationship r : dataset.definition.relationships()) {
            if (!r.toTable().equals(tableName)) {
                continue;
            }
            java.util.Set<Object> seen = new java.util.HashSet<>();
            stored.forEach(row -> seen.add(row.values().get(r.toColumn())));
            for (Map<String, Object> row : rows) {
                Object value = row.get(r.toColumn());
                if (!seen.add(value)) {
                    throw PowerBiApiException.invalidRequest("Column '" + r.toColumn() + "' in Table '" + tableName
                            + "' contains a duplicate value '" + value + "' and this is not allowed for columns on the one"
                            + " side of a many-to-one relationship or for columns that are used as the primary key of a table.");
                }
            }
        }
    }

    /** What became of a POST rows request that was answered 200. */
    public record PostOutcome(boolean applied, int rowsWritten) {}

    /**
     * The highest sequence number applied per app for a table (§8), in the order the apps first sent one; 404
     * PowerBIEntityNotFound (as for anything the service does not know) when sequence numbers are switched off.
     */
    public Map<String, Long> sequenceNumbers(String appId, String groupId, String datasetId, String tableName) {
        if (!settings.sequenceNumbers()) {
            throw PowerBiApiException.entityNotFound();
        }
        requireAccess(appId, groupId, false);
        PushDataset dataset = find(groupId, datasetId);
        synchronized (dataset) {
            if (dataset.definition.table(tableName).isEmpty()) {
                throw PowerBiApiException.tableNotFound(datasetId, tableName);
            }
            return java.util.Collections.unmodifiableMap(
                    new LinkedHashMap<>(dataset.sequenceNumbers.getOrDefault(tableName, Map.of())));
        }
    }

    /**
     * Execute Queries (§8): one DAX query of the shapes {@link DaxQuery} knows, over the dataset's rows. Checks in
     * order: the tenant setting (401), workspace access with Build, which members with a write role have and a Viewer
     * lacks (strict reading; 403 for a Viewer), the dataset (404), the caller's 120 query requests per minute (429,
     * every admitted request counts, DAX errors too), then the body and the query (400).
     *
     * @return the answer body {@code {"results":[{"tables":[{"rows":[{...}]}]}]}}
     */
    public Map<String, Object> executeQueries(String appId, String groupId, String datasetId, JsonNode body) {
        if (!settings.executeQueries()) {
            throw PowerBiApiException.executeQueriesDisabled();
        }
        requireAccess(appId, groupId, true);
        PushDataset dataset = find(groupId, datasetId);
        queryLimit.admit(appId, clock.instant());
        JsonNode queries = body.get("queries");
        if (queries == null || !queries.isArray() || queries.size() != 1 || !queries.get(0).isObject()
                || queries.get(0).get("query") == null || !queries.get(0).get("query").isString()) {
            // The service runs exactly one query per request (REST reference, "Datasets - Execute Queries").
            throw PowerBiApiException.invalidRequest("The request must have exactly one query: {\"queries\":"
                    + "[{\"query\":\"...\"}]}.");
        }
        JsonNode includeNulls = body.path("serializerSettings").path("includeNulls");
        DaxQuery query = DaxQuery.parse(queries.get(0).get("query").asString());
        Map<String, Object> row;
        synchronized (dataset) {
            row = query.evaluate(dataset.definition, dataset.rowsByTable::get, includeNulls.isBoolean() && includeNulls.booleanValue());
        }
        return Map.of("results", List.of(Map.of("tables", List.of(Map.of("rows", List.of(row))))));
    }

    /** Deletes all rows of a table (reference §2.8). */
    public void deleteRows(String appId, String groupId, String datasetId, String tableName) {
        requireAccess(appId, groupId, true);
        PushDataset dataset = find(groupId, datasetId);
        synchronized (dataset) {
            if (dataset.definition.table(tableName).isEmpty()) {
                throw PowerBiApiException.tableNotFound(datasetId, tableName);
            }
            dataset.rowsByTable.get(tableName).clear();
        }
    }

    // ---- read access for tests and the /sim pages (no auth) ----

    public List<DatasetSummary> allDatasets() {
        return datasets.values().stream()
                .sorted(java.util.Comparator.comparing((PushDataset d) -> d.createdAt).thenComparing(d -> d.id))
                .map(PushDatasetStore::summary).toList();
    }

    public Optional<DatasetDefinition> definition(String datasetId) {
        PushDataset dataset = datasets.get(datasetId);
        if (dataset == null) {
            return Optional.empty();
        }
        synchronized (dataset) {
            return Optional.of(dataset.definition);
        }
    }

    /** A copy of a table's rows, oldest first; empty if the dataset or table does not exist. */
    public List<StoredRow> storedRows(String datasetId, String tableName) {
        PushDataset dataset = datasets.get(datasetId);
        if (dataset == null) {
            return List.of();
        }
        synchronized (dataset) {
            List<StoredRow> rows = dataset.rowsByTable.get(tableName);
            return rows == null ? List.of() : List.copyOf(rows);
        }
    }

    /** The kept sequence numbers of a table by app id, without access checks; empty if none. */
    public Map<String, Long> keptSequenceNumbers(String datasetId, String tableName) {
        PushDataset dataset = datasets.get(datasetId);
        if (dataset == null) {
            return Map.of();
        }
        synchronized (dataset) {
            return java.util.Collections.unmodifiableMap(
                    new LinkedHashMap<>(dataset.sequenceNumbers.getOrDefault(tableName, Map.of())));
        }
    }

    public int pendingPosts(String datasetId) {
        PushDataset dataset = datasets.get(datasetId);
        return dataset == null ? 0 : dataset.pending.get();
    }

    // ---- helpers ----

    private void requireAccess(String appId, String groupId, boolean write) {
        Workspace workspace = workspaces.get(groupId.toLowerCase(java.util.Locale.ROOT));
        WorkspaceRole role = workspace == null ? null : workspace.members().get(appId);
        if (role == null) {
            throw PowerBiApiException.notAMember(settings.nonMemberStatus());
        }
        if (write && !role.canWrite()) {
            throw PowerBiApiException.viewerCannotWrite();
        }
    }

    private PushDataset find(String groupId, String datasetId) {
        PushDataset dataset = datasets.get(datasetId);
        if (dataset == null || !dataset.groupId.equalsIgnoreCase(groupId)) {
            throw PowerBiApiException.entityNotFound();
        }
        return dataset;
    }

    private static DatasetSummary summary(PushDataset dataset) {
        synchronized (dataset) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            dataset.definition.tables().forEach(t -> counts.put(t.name(), dataset.rowsByTable.get(t.name()).size()));
            return new DatasetSummary(dataset.id, dataset.groupId, dataset.definition.name(),
                    dataset.definition.defaultMode(), dataset.retention, dataset.createdAt, dataset.configuredBy,
                    java.util.Collections.unmodifiableMap(counts));
        }
    }
}
