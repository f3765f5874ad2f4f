package io.mlconnector.powerbi;

import io.mlconnector.mapping.DatasetModel;
import java.io.IOException;
import java.net.URI;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The push-dataset REST surface (powerbi-api.md §2), workspace ({@code /groups/{id}}) variants only,
 * since a service principal cannot use My workspace. A 401/403 whose code is {@code TokenExpired}
 * makes one new token request and one retry. Logs carry status, code and RequestId, never tokens
 * or row bodies.
 */
public final class PushDatasetClient implements io.mlconnector.pipeline.RowSink {

    public static final URI POWER_BI_API = URI.create("https://api.powerbi.com/v1.0/myorg");

    private static final Logger LOG = LoggerFactory.getLogger(PushDatasetClient.class);
    /** Floats read as BigDecimal: Execute Queries answers money sums, which must compare to the cent. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(tools.jackson.databind.cfg.JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    /** Reference §8: the push sequence number of a POST rows request. */
    public static final String SEQUENCE_NUMBER_HEADER = "X-PowerBI-PushData-SequenceNumber";

    private final HttpClient http;
    private final String apiBase;
    private final PowerBiTokenSource tokens;
    private final Duration requestTimeout;
    private final Clock clock;

    /**
     * @param apiBase        {@link #POWER_BI_API} or a simulator's equivalent ({@code …/v1.0/myorg})
     * @param requestTimeout per request; a POST rows that takes longer is reported as {@link PostRowsResult.Failed}
     * @param clock          only for an HTTP-date {@code Retry-After}
     */
    public PushDatasetClient(HttpClient http, URI apiBase, PowerBiTokenSource tokens, Duration requestTimeout, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.apiBase = apiBase.toString().replaceAll("/+$", "");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** How long one request may take; a POST still open after it has an unknown outcome. */
    @Override
    public Duration requestTimeout() {
        return requestTimeout;
    }

    // ---- datasets -----------------------------------------------------------------------------

    /** Creates the push dataset described by {@code model}; returns it (its id may need a lookup on 202). */
    public DatasetInfo createDataset(String workspaceId, DatasetModel model, RetentionPolicy retentionPolicy) {
        String operation = "create dataset '" + model.datasetName() + "'";
        URI uri = uri(datasetsPath(workspaceId) + "?defaultRetentionPolicy=" + retentionPolicy.queryValue());
        HttpResponse<String> response = call(operation, "POST", uri, JSON.writeValueAsString(model.toCreateDatasetJson()));
        requireSuccess(operation, response);
        JsonNode body = readJson(response.body());
        DatasetInfo created = body != null && body.hasNonNull("id") ? datasetInfo(body) : null;
        if (created == null) {
            // 202 "creation in progress" may come without a body: find it by name.
            created = findDatasetByName(workspaceId, model.datasetName()).orElseThrow(() -> new PowerBiApiException(
                    operation, response.statusCode(), null, "accepted, but the dataset is not listed yet", requestId(response), null));
        }
        LOG.info("created push dataset '{}' id {} in workspace {} (RequestId {})",
                model.datasetName(), created.id(), workspaceId, requestId(response));
        return created;
    }

    public List<DatasetInfo> listDatasets(String workspaceId) {
        String operation = "list datasets";
        HttpResponse<String> response = call(operation, "GET", uri(datasetsPath(workspaceId)), null);
        requireSuccess(operation, response);
        List<DatasetInfo> datasets = new ArrayList<>();
        for (JsonNode node : values(operation, response)) {
            datasets.add(datasetInfo(node));
        }
        return datasets;
    }

    /** Every dataset with this name, oldest first (names are not unique in Power BI). */
    @Override
    public List<DatasetInfo> findDatasetsByName(String workspaceId, String name) {
        return listDatasets(workspaceId).stream()
                .filter(d -> name.equals(d.name()))
                .sorted(OLDEST_FIRST)
                .toList();
    }

    /** The oldest dataset with this name; see {@link #findDatasetsByName} when duplicates matter. */
    public Optional<DatasetInfo> findDatasetByName(String workspaceId, String name) {
        return findDatasetsByName(workspaceId, name).stream().findFirst();
    }

    public void deleteDataset(String workspaceId, String datasetId) {
        String operation = "delete dataset " + datasetId;
        requireSuccess(operation, call(operation, "DELETE", uri(datasetPath(workspaceId, datasetId)), null));
    }

    // ---- tables -------------------------------------------------------------------------------

    @Override
    public List<TableInfo> getTables(String workspaceId, String datasetId) {
        String operation = "get tables of dataset " + datasetId;
        HttpResponse<String> response = call(operation, "GET", uri(datasetPath(workspaceId, datasetId) + "/tables"), null);
        requireSuccess(operation, response);
        List<TableInfo> tables = new ArrayList<>();
        for (JsonNode node : values(operation, response)) {
            JsonNode columns = node.get("columns");
            Optional<List<TableInfo.ColumnInfo>> columnInfos = Optional.empty();
            if (columns != null && columns.isArray() && !columns.isEmpty()) {
                List<TableInfo.ColumnInfo> list = new ArrayList<>();
                for (JsonNode c : columns.values()) {
                    list.add(new TableInfo.ColumnInfo(c.path("name").asString(), c.path("dataType").asString()));
                }
                columnInfos = Optional.of(list);
            }
            tables.add(new TableInfo(node.path("name").asString(), columnInfos));
        }
        return tables;
    }

    /** Creates the table or replaces its columns and measures with the model's. */
    public void putTable(String workspaceId, String datasetId, DatasetModel.Table table) {
        String operation = "put table '" + table.name() + "'";
        String body = JSON.writeValueAsString(DatasetModel.toTableJson(table));
        HttpResponse<String> response = call(operation, "PUT", tableUri(workspaceId, datasetId, table.name(), ""), body);
        requireSuccess(operation, response);
        LOG.info("put table '{}' in dataset {} (RequestId {})", table.name(), datasetId, requestId(response));
    }

    /** Empties the table (the only delete a push table has). */
    @Override
    public void deleteRows(String workspaceId, String datasetId, String table) {
        String operation = "delete rows of table '" + table + "'";
        requireSuccess(operation, call(operation, "DELETE", tableUri(workspaceId, datasetId, table, "/rows"), null));
    }

    // ---- rows ---------------------------------------------------------------------------------

    /** Appends rows ({@code Row.toPushJson} maps), without a sequence number. */
    public PostRowsResult postRows(String workspaceId, String datasetId, String table, List<Map<String, Object>> rows) {
        return postRows(workspaceId, datasetId, table, rowsBody(rows), rows.size(), null);
    }

    /** The body of a POST rows request: {@code {"rows":[…]}}. */
    public static String rowsBody(List<?> rows) {
        return JSON.writeValueAsString(Map.of("rows", rows));
    }

    /**
     * Appends rows. {@code body} is {@link #rowsBody}'s JSON; {@code sequenceNumber}, when not null, goes in
     * {@code X-PowerBI-PushData-SequenceNumber} (reference §8: the service applies a table's POST only when its
     * number is higher than the last it applied for this client). Never throws for an HTTP or network outcome:
     * the result says what is known. A {@link PowerBiAuthException} (no token to be had) does propagate: it is
     * a property of the route, not of this batch.
     */
    @Override
    public PostRowsResult postRows(String workspaceId, String datasetId, String table, String body, int rowCount,
                                   Long sequenceNumber) {
        URI uri = tableUri(workspaceId, datasetId, table, "/rows");
        Map<String, String> headers = sequenceNumber == null ? Map.of()
                : Map.of(SEQUENCE_NUMBER_HEADER, Long.toString(sequenceNumber));
        HttpResponse<String> response;
        try {
            response = exchange("POST", uri, body, headers);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            LOG.warn("POST rows to '{}' ({} rows) could not connect: {}", table, rowCount, e.toString());
            return new PostRowsResult.NotSent(e.toString());
        } catch (HttpTimeoutException e) {
            LOG.warn("POST rows to '{}' ({} rows) timed out after {}", table, rowCount, requestTimeout);
            return new PostRowsResult.Unknown(-1, "timed out after " + requestTimeout, null);
        } catch (IOException e) {
            LOG.warn("POST rows to '{}' ({} rows) failed: {}", table, rowCount, e.toString());
            return new PostRowsResult.Unknown(-1, e.toString(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PostRowsResult.Unknown(-1, "interrupted", null);
        }
        int status = response.statusCode();
        String requestId = requestId(response);
        if (status >= 200 && status < 300) {
            LOG.debug("POST rows to '{}': {} rows accepted (RequestId {})", table, rowCount, requestId);
            return new PostRowsResult.Accepted(requestId);
        }
        PowerBiError error = PowerBiError.parse(response.body());
        LOG.warn("POST rows to '{}' ({} rows): HTTP {} {} (RequestId {})",
                table, rowCount, status, error.describe(""), requestId);
        if (status == 429) {
            return new PostRowsResult.Throttled(retryAfter(response).orElse(null), requestId);
        }
        if (status == 408 || status >= 500 || status < 400) {
            return new PostRowsResult.Unknown(status, error.describe("HTTP " + status), requestId);
        }
        return new PostRowsResult.Rejected(status, error.code(), error.message(), requestId);
    }

    // ---- knowing whether a push landed (reference §8) --------------------------------------------

    /**
     * The last sequence number the service applied to {@code table} for {@code clientId} (0 when it has none),
     * or empty when the service answers {@code …/sequenceNumbers} with 404: it does not keep them (callers know
     * the table exists from {@link #getTables} first, so a 404 here is about the endpoint, not the table).
     */
    @Override
    public Optional<Long> lastSequenceNumber(String workspaceId, String datasetId, String table, String clientId) {
        String operation = "get sequence numbers of table '" + table + "'";
        HttpResponse<String> response = call(operation, "GET", tableUri(workspaceId, datasetId, table, "/sequenceNumbers"), null);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        requireSuccess(operation, response);
        long last = 0;
        for (JsonNode entry : values(operation, response)) {
            if (clientId.equalsIgnoreCase(entry.path("clientId").asString())) {
                last = Math.max(last, entry.path("sequenceNumber").asLong(0));
            }
        }
        return Optional.of(last);
    }

    /**
     * Runs one DAX query (Execute Queries, reference §8) and returns the first table's rows. A 4xx/5xx throws
     * {@link PowerBiApiException} (401/403: the tenant setting is off or the caller lacks Build).
     */
    public List<JsonNode> executeQuery(String workspaceId, String datasetId, String dax) {
        String operation = "execute query on dataset " + datasetId;
        String body = JSON.writeValueAsString(Map.of("queries", List.of(Map.of("query", dax)),
                "serializerSettings", Map.of("includeNulls", true)));
        HttpResponse<String> response = call(operation, "POST", uri(datasetPath(workspaceId, datasetId) + "/executeQueries"), body);
        requireSuccess(operation, response);
        JsonNode rows = readJson(response.body());
        rows = rows == null ? null : rows.path("results").path(0).path("tables").path(0).path("rows");
        if (rows == null || !rows.isArray()) {
            throw new PowerBiApiException(operation, response.statusCode(), null, "response has no results[0].tables[0].rows",
                    requestId(response), null);
        }
        return List.copyOf(rows.values());
    }

    /** How many rows of {@code table} carry {@code batchId} in their {@code batch_id} column. */
    @Override
    public long countRowsOfBatch(String workspaceId, String datasetId, String table, String batchId) {
        String dax = "EVALUATE ROW(\"n\", COUNTROWS(FILTER(" + daxTable(table) + ", " + daxTable(table) + "[batch_id] = "
                + daxString(batchId) + ")))";
        List<JsonNode> rows = executeQuery(workspaceId, datasetId, dax);
        return rows.isEmpty() ? 0 : rows.get(0).path("[n]").asLong(0);
    }

    /** A table reference in DAX: {@code 'name'} with quotes doubled. */
    public static String daxTable(String table) {
        return "'" + table.replace("'", "''") + "'";
    }

    /** A string literal in DAX: {@code "text"} with quotes doubled. */
    public static String daxString(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    /** One request with a bearer token; on TokenExpired one fresh token and one retry. */
    private HttpResponse<String> exchange(String method, URI uri, String jsonBody, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(method, uri, jsonBody, headers, tokens.accessToken()),
                HttpResponse.BodyHandlers.ofString());
        if ((response.statusCode() == 401 || response.statusCode() == 403)
                && "TokenExpired".equals(PowerBiError.parse(response.body()).code())) {
            LOG.info("Power BI says the token expired (RequestId {}); getting a new one", requestId(response));
            tokens.invalidate();
            response = http.send(request(method, uri, jsonBody, headers, tokens.accessToken()),
                    HttpResponse.BodyHandlers.ofString());
        }
        return response;
    }

    private HttpResponse<String> call(String operation, String method, URI uri, String jsonBody) {
        try {
            return exchange(method, uri, jsonBody, Map.of());
        } catch (IOException e) {
            throw new PowerBiApiException(operation, -1, null, unreachable(e), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerBiApiException(operation, -1, null, "interrupted", null, e);
        }
    }

    /** A call that got no answer: which host did not answer, and the key that names it. */
    private String unreachable(IOException e) {
        URI root = URI.create(apiBase);
        String host = root.getScheme() + "://" + root.getAuthority();
        String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getName()
                : e.getClass().getName() + " " + e.getMessage();
        return "Power BI at " + host + " did not answer (" + why + ") — check powerbi.api-base-url and the network"
                + (root.getScheme().equals("https") ? " (and powerbi.trusted-certificate-pem for a private certificate)" : "");
    }

    private HttpRequest request(String method, URI uri, String jsonBody, Map<String, String> headers, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        headers.forEach(builder::header);
        if (jsonBody != null) {
            builder.header("Content-Type", "application/json; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private void requireSuccess(String operation, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
            PowerBiError error = PowerBiError.parse(response.body());
            throw new PowerBiApiException(operation, status, error.code(), error.message(), requestId(response), null);
        }
    }

    /** {@code Retry-After} as delta-seconds (what Power BI sends) or, to be safe, an HTTP-date. */
    Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After").map(String::trim);
        if (header.isEmpty() || header.get().isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String requestId(HttpResponse<?> response) {
        return response.headers().firstValue("RequestId").orElse(null);
    }

    private static List<JsonNode> values(String operation, HttpResponse<String> response) {
        JsonNode body = readJson(response.body());
        JsonNode value = body == null ? null : body.get("value");
        if (value == null || !value.isArray()) {
            throw new PowerBiApiException(operation, response.statusCode(), null,
                    "response has no 'value' array", requestId(response), null);
        }
        return List.copyOf(value.values());
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static DatasetInfo datasetInfo(JsonNode node) {
        Instant created = null;
        JsonNode createdNode = node.hasNonNull("createdDate") ? node.get("createdDate") : node.get("CreatedDate");
        if (createdNode != null && !createdNode.isNull()) {
            try {
                created = java.time.OffsetDateTime.parse(createdNode.asString()).toInstant();
            } catch (DateTimeParseException e) {
                created = null; // an odd date only loses the duplicate tie-break
            }
        }
        return new DatasetInfo(node.path("id").asString(), node.path("name").asString(), created,
                node.path("addRowsAPIEnabled").asBoolean(false));
    }

    /** Oldest createdDate first; datasets without one after those, in service order. */
    static final Comparator<DatasetInfo> OLDEST_FIRST = Comparator.comparing(
            DatasetInfo::createdDate, Comparator.nullsLast(Comparator.naturalOrder()));

    private String datasetsPath(String workspaceId) {
        return apiBase + "/groups/" + segment(workspaceId) + "/datasets";
    }

    private String datasetPath(String workspaceId, String datasetId) {
        return datasetsPath(workspaceId) + "/" + segment(datasetId);
    }

    private URI tableUri(String workspaceId, String datasetId, String table, String suffix) {
        return uri(datasetPath(workspaceId, datasetId) + "/tables/" + segment(table) + suffix);
    }

    private static URI uri(String text) {
        return URI.create(text);
    }

    /** Percent-encodes one path segment (table names may hold spaces, '#', '@'). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "PushDatasetClient[" + apiBase + "]";
    }

    static String joinNames(List<DatasetInfo> datasets) {
        return datasets.stream().map(DatasetInfo::id).collect(Collectors.joining(", "));
    }
}
