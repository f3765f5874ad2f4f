package io.mlconnector.sim.powerbi;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson3;
import io.mlconnector.sim.common.FaultControl;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.Loopback;
import io.mlconnector.sim.entra.InvalidTokenException;
import io.mlconnector.sim.entra.TokenValidator;
import io.mlconnector.sim.entra.ValidatedToken;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The Power BI REST API's push-dataset surface (reference powerbi-api.md §2), plain HTTP, for service principals
 * holding tokens from the Entra simulator, plus what the connector needs to know whether a push landed (§8): push
 * sequence numbers ({@value #SEQUENCE_NUMBER_HEADER}, GET {@code …/tables/{table}/sequenceNumbers}) and Execute
 * Queries for the DAX shapes of {@link DaxQuery}; both can be switched off ({@link PowerBiSettings}). Handlers only
 * authenticate, apply injected faults and call one {@link PushDatasetStore} operation. Also serves {@code /sim}: a read-only view of datasets and rows for tests
 * and people, and {@code /sim/faults} ({@link FaultControl}) to add and clear fault rules over HTTP.
 *
 * <p>Clocks: token expiry ({@code exp}, {@code nbf}) is judged on <em>this</em> simulator's clock, as the real
 * API judges it on its own; the {@link TokenValidator} passed in only supplies Entra's signing key, and its own
 * clock is ignored here. So with separate clocks, moving the Power BI clock past {@code exp} expires the token,
 * and moving only Entra's clock does not.
 */
public final class PowerBiSimulator implements AutoCloseable {
    private static final String ODATA_JSON = "application/json; odata.metadata=minimal; odata.streaming=true";
    private static final String ERROR_JSON = "application/json; charset=utf-8";
    private static final String GROUP = "/v1.0/myorg/groups/{groupId}";
    private static final String REQUEST_ID = "RequestId";
    /** The push sequence number header public clients send (reference §8). */
    public static final String SEQUENCE_NUMBER_HEADER = "X-PowerBI-PushData-SequenceNumber";
    /** Faults every endpoint can carry out; POST rows can carry out every kind. */
    private static final Set<FaultInjector.Kind> CALL_FAULTS = java.util.Collections.unmodifiableSet(EnumSet.of(
            FaultInjector.Kind.THROTTLE, FaultInjector.Kind.SERVER_ERROR, FaultInjector.Kind.LATENCY,
            FaultInjector.Kind.HOLD, FaultInjector.Kind.UNAUTHORIZED_SWITCH, FaultInjector.Kind.FORBIDDEN));
    private static final Set<FaultInjector.Kind> ROWS_FAULTS = java.util.Collections.unmodifiableSet(
            EnumSet.allOf(FaultInjector.Kind.class));

    private final Clock clock;
    private final TokenValidator tokens;
    private final FaultInjector faults;
    private final PushDatasetStore store;
    private final List<PostRowsRecord> postRowsLog = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> refusedValues = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Javalin server;

    public PowerBiSimulator(Clock clock, TokenValidator tokens, FaultInjector faults, PushLimits limits,
                            PowerBiSettings settings) {
        this.clock = clock;
        this.tokens = tokens;
        this.faults = faults;
        this.store = new PushDatasetStore(clock, limits, settings);
    }

    /** Documented limits, strict settings, no faults. */
    public static PowerBiSimulator withDefaults(Clock clock, TokenValidator tokens) {
        return new PowerBiSimulator(clock, tokens, new FaultInjector(clock, 0), PushLimits.DOCUMENTED, PowerBiSettings.STRICT);
    }

    /** Starts on {@code port} (0 = any free port) on loopback only. */
    public PowerBiSimulator start(int port) {
        return start(Loopback.HOST, port);
    }

    /** Starts on {@code bindHost} (e.g. 0.0.0.0 for every interface) and {@code port}. */
    public synchronized PowerBiSimulator start(String bindHost, int port) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson3(Json.MAPPER, false));
            cfg.jetty.host = bindHost;
            cfg.jetty.port = port;
            // Bodies up to the documented limit must reach the validator, which answers 400 with the reason.
            cfg.http.maxRequestSize = Math.max(store.limits().maxBodyBytes() * 2, 1_000_000L);
            cfg.routes.exception(PowerBiApiException.class, this::render);
            cfg.routes.before("/v1.0/*", ctx -> {
                String requestId = UUID.randomUUID().toString();
                ctx.attribute(REQUEST_ID, requestId);
                ctx.header(REQUEST_ID, requestId);
            });
            cfg.routes.post(GROUP + "/datasets", this::createDataset);
            cfg.routes.get(GROUP + "/datasets", this::listDatasets);
            cfg.routes.get(GROUP + "/datasets/{datasetId}", this::getDataset);
            cfg.routes.delete(GROUP + "/datasets/{datasetId}", this::deleteDataset);
            cfg.routes.get(GROUP + "/datasets/{datasetId}/tables", this::listTables);
            cfg.routes.put(GROUP + "/datasets/{datasetId}/tables/{tableName}", this::putTable);
            cfg.routes.post(GROUP + "/datasets/{datasetId}/tables/{tableName}/rows", this::postRows);
            cfg.routes.delete(GROUP + "/datasets/{datasetId}/tables/{tableName}/rows", this::deleteRows);
            cfg.routes.get(GROUP + "/datasets/{datasetId}/tables/{tableName}/sequenceNumbers", this::sequenceNumbers);
            cfg.routes.post(GROUP + "/datasets/{datasetId}/executeQueries", this::executeQueries);
            for (String path : List.of("/v1.0/myorg/datasets", "/v1.0/myorg/datasets/<rest>")) {
                cfg.routes.get(path, this::myWorkspace);
                cfg.routes.post(path, this::myWorkspace);
                cfg.routes.put(path, this::myWorkspace);
                cfg.routes.delete(path, this::myWorkspace);
            }
            FaultControl faultControl = new FaultControl(faults); // handlers never call injectFaults: not faulted
            cfg.routes.get(FaultControl.PATH, faultControl::list);
            cfg.routes.post(FaultControl.PATH, faultControl::add);
            cfg.routes.delete(FaultControl.PATH, faultControl::clear);
            SimInspector inspector = new SimInspector(store, postRowsLog, faults);
            cfg.routes.get("/sim", inspector::page);
            cfg.routes.get("/sim/datasets", inspector::datasets);
            cfg.routes.get("/sim/datasets/{datasetId}/tables/{tableName}/rows", inspector::rows);
            cfg.routes.get("/sim/post-rows-log", inspector::postRowsLog);
            cfg.routes.get(DashboardPage.PATH, new DashboardPage(store, clock)::page);
        }).start();
        return this;
    }

    // ---- the REST surface: authenticate, inject faults, one store call ----

    private void createDataset(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        DatasetSummary dataset = store.createDataset(caller.appId(), ctx.pathParam("groupId"), jsonBody(ctx),
                ctx.queryParam("defaultRetentionPolicy"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", metadata(dataset.groupId()) + "#datasets/$entity");
        body.put("id", dataset.id());
        body.put("name", dataset.name());
        body.put("defaultRetentionPolicy", dataset.retention().apiName());
        odata(ctx.status(201), body);
    }

    private void listDatasets(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        String groupId = ctx.pathParam("groupId");
        List<Map<String, Object>> value = store.datasets(caller.appId(), groupId).stream().map(this::datasetJson).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", metadata(groupId) + "#datasets");
        body.put("value", value);
        odata(ctx, body);
    }

    private void getDataset(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        String groupId = ctx.pathParam("groupId");
        DatasetSummary dataset = store.dataset(caller.appId(), groupId, ctx.pathParam("datasetId"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", metadata(groupId) + "#datasets/$entity");
        body.putAll(datasetJson(dataset));
        odata(ctx, body);
    }

    private void deleteDataset(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        store.deleteDataset(caller.appId(), ctx.pathParam("groupId"), ctx.pathParam("datasetId"));
        ctx.status(200);
    }

    private void listTables(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        String groupId = ctx.pathParam("groupId");
        List<String> names = store.tableNames(caller.appId(), groupId, ctx.pathParam("datasetId"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", metadata(groupId) + "#tables");
        body.put("value", names.stream().map(name -> Map.of("name", name)).toList());
        odata(ctx, body);
    }

    private void putTable(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        DatasetDefinition.Table table = store.putTable(caller.appId(), ctx.pathParam("groupId"),
                ctx.pathParam("datasetId"), ctx.pathParam("tableName"), jsonBody(ctx));
        odata(ctx, tableJson(table));
    }

    /**
     * Logged whatever the answer, so tests can see every attempt and when it arrived. An ACCEPT_THEN_DROP or
     * ACCEPT_THEN_HANG fault takes effect only once the request has been handled with 200 (its answer is what gets
     * lost); any refusal is answered as usual.
     */
    private void postRows(Context ctx) throws InterruptedException {
        Instant receivedAt = clock.instant();
        String requestId = ctx.attribute(REQUEST_ID);
        String appId = null;
        int rowCount = 0;
        int status = 500;
        Integer retryAfter = null;
        boolean applied = false;
        Long sequenceNumber = parseSequenceNumber(ctx.header(SEQUENCE_NUMBER_HEADER));
        List<String> batchIds = List.of();
        FaultInjector.Rule fault = null;
        try {
            appId = authenticate(ctx).appId();
            try (PushDatasetStore.PendingPost post = store.openPost(appId, ctx.pathParam("groupId"),
                    ctx.pathParam("datasetId"), ctx.pathParam("tableName"))) {
                fault = faults.decide(ctx.path(), ROWS_FAULTS).orElse(null);
                applyFault(fault);
                JsonNode body = store.rowValidator().parse(ctx.bodyAsBytes());
                refuseValues(body);
                rowCount = RowValidator.rowCount(body);
                batchIds = RowValidator.distinctStrings(body, "batch_id");
                applied = store.postRows(post, body, requestId, sequenceNumber(ctx, sequenceNumber)).applied();
            }
            status = isKind(fault, FaultInjector.Kind.ACCEPT_THEN_DROP) ? 0 : 200;
            ctx.status(200);
        } catch (PowerBiApiException e) {
            status = e.status();
            retryAfter = e.retryAfterSeconds();
            throw e;
        } finally {
            postRowsLog.add(new PostRowsRecord(receivedAt, requestId, appId, ctx.pathParam("groupId"),
                    ctx.pathParam("datasetId"), ctx.pathParam("tableName"), status, rowCount, retryAfter, applied,
                    sequenceNumber, batchIds, fault == null ? null : fault.kind().name()));
        }
        // Handled with 200; the pending slot is already free, as the work is done and only the answer is lost or late.
        if (isKind(fault, FaultInjector.Kind.ACCEPT_THEN_DROP)) {
            dropConnection(ctx);
        } else if (isKind(fault, FaultInjector.Kind.ACCEPT_THEN_HANG)) {
            holdAnswer(fault.latency());
        }
    }

    /**
     * Values the service refuses wherever they appear in a row (a test's stand-in for a row Power BI will not take,
     * for reasons the reference does not list): the whole POST is a 400 about that value, nothing written.
     */
    public void refuseValue(String value) {
        refusedValues.add(value);
    }

    private void refuseValues(JsonNode body) {
        for (JsonNode row : body.path("rows")) {
            for (java.util.Map.Entry<String, JsonNode> column : row.properties()) {
                if (column.getValue().isString() && refusedValues.contains(column.getValue().asString())) {
                    throw PowerBiApiException.invalidRequest("Row value of column '" + column.getKey()
                            + "' is not valid: '" + column.getValue().asString() + "'.");
                }
            }
        }
    }

    /** The header's number for the store: null when absent or switched off; 400 when it is not a whole number. */
    private Long sequenceNumber(Context ctx, Long parsed) {
        String header = ctx.header(SEQUENCE_NUMBER_HEADER);
        if (header == null || !store.settings().sequenceNumbers()) {
            return null;
        }
        if (parsed == null) {
            throw PowerBiApiException.invalidRequest("The " + SEQUENCE_NUMBER_HEADER + " header must be a whole number: '"
                    + header + "'.");
        }
        return parsed;
    }

    private static Long parseSequenceNumber(String header) {
        try {
            return header == null ? null : Long.valueOf(header.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The held 200 of ACCEPT_THEN_HANG; a stopping server interrupts it, which needs no report. */
    private static void holdAnswer(java.time.Duration hang) {
        try {
            Thread.sleep(hang.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isKind(FaultInjector.Rule rule, FaultInjector.Kind kind) {
        return rule != null && rule.kind() == kind;
    }

    /**
     * Closes the TCP connection with no answer at all, so the client sees an I/O error although the rows were
     * applied. The request body has been read completely, so the client is waiting for the answer, not sending.
     */
    private static void dropConnection(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        request.getServletChannel().getEndPoint().close();
    }

    private void deleteRows(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        store.deleteRows(caller.appId(), ctx.pathParam("groupId"), ctx.pathParam("datasetId"), ctx.pathParam("tableName"));
        ctx.status(200);
    }

    /** Reference §8; 404 when the service ignores sequence numbers (switch), as for an unknown entity. */
    private void sequenceNumbers(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        String groupId = ctx.pathParam("groupId");
        Map<String, Long> numbers = store.sequenceNumbers(caller.appId(), groupId, ctx.pathParam("datasetId"),
                ctx.pathParam("tableName"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", metadata(groupId) + "#sequenceNumbers");
        body.put("value", numbers.entrySet().stream().map(e -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("clientId", e.getKey());
            entry.put("sequenceNumber", e.getValue());
            return entry;
        }).toList());
        odata(ctx, body);
    }

    /** Execute Queries (reference §8), for the DAX shapes of {@link DaxQuery}. */
    private void executeQueries(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        Map<String, Object> result = store.executeQueries(caller.appId(), ctx.pathParam("groupId"),
                ctx.pathParam("datasetId"), jsonBody(ctx));
        ctx.result(Json.MAPPER.writeValueAsString(result)).contentType(ERROR_JSON);
    }

    /** Service principals cannot use My workspace (reference §1.3, §1.4). */
    private void myWorkspace(Context ctx) {
        authenticate(ctx);
        throw PowerBiApiException.notAccessibleForApplication();
    }

    // ---- cross-cutting ----

    private ValidatedToken authenticate(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw PowerBiApiException.unauthenticated();
        }
        try {
            return tokens.validate(authorization.substring(7).trim(), clock.instant());
        } catch (InvalidTokenException e) {
            if (e.reason() == InvalidTokenException.Reason.EXPIRED) {
                throw PowerBiApiException.tokenExpired(store.settings().expiredTokenStatus());
            }
            throw PowerBiApiException.unauthenticated();
        }
    }

    /**
     * Reads what is left of the request before an error answer, as a real server does. Answering early and
     * closing the connection while the client still sends its rows makes the client lose the answer (and a
     * 429's Retry-After) to a connection reset.
     */
    private static void drainRequestBody(Context ctx) {
        try (java.io.InputStream in = ctx.req().getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException | RuntimeException ignored) {
            // the client went away or the body was already read: nothing left to drain
        }
    }

    private void injectFaults(Context ctx) throws InterruptedException {
        applyFault(faults.decide(ctx.path(), CALL_FAULTS).orElse(null));
    }

    /** Delays or refuses the request for a fault; ACCEPT_THEN_* act later, once the rows are applied (postRows). */
    private static void applyFault(FaultInjector.Rule rule) throws InterruptedException {
        if (rule == null) {
            return;
        }
        switch (rule.kind()) {
            case LATENCY, HOLD -> FaultInjector.delay(rule);
            case THROTTLE -> throw PowerBiApiException.tooManyRequests(rule.retryAfterSeconds(),
                    "You have exceeded the amount of requests allowed in the current time frame and further requests"
                            + " will fail. Retry in " + rule.retryAfterSeconds() + " seconds.");
            case SERVER_ERROR -> throw PowerBiApiException.serverError(rule.status(), "injected server error");
            case UNAUTHORIZED_SWITCH -> throw PowerBiApiException.servicePrincipalSwitchOff();
            case FORBIDDEN -> throw PowerBiApiException.injectedForbidden();
            // Worded as RowValidator words a wrongly typed value: it names a column, so a client must not take
            // "mentions a column" for "the schema differs".
            case BAD_VALUE -> throw PowerBiApiException.invalidRequest(
                    "Row 0, column 'amount' (Decimal): expected a JSON number, got \"n/a\".");
            case ACCEPT_THEN_DROP, ACCEPT_THEN_HANG -> { }
        }
    }

    private void render(PowerBiApiException e, Context ctx) {
        drainRequestBody(ctx);
        ctx.status(e.status());
        e.headers().forEach(ctx::header);
        if (e.body() == null) {
            ctx.result("");
        } else {
            ctx.result(Json.MAPPER.writeValueAsString(e.body())).contentType(ERROR_JSON);
        }
    }

    private static JsonNode jsonBody(Context ctx) {
        try {
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (body == null || body.isMissingNode()) {
                throw PowerBiApiException.invalidRequest("The request body is empty.");
            }
            return body;
        } catch (JacksonException e) {
            throw PowerBiApiException.invalidRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static void odata(Context ctx, Object body) {
        ctx.result(Json.MAPPER.writeValueAsString(body)).contentType(ODATA_JSON);
    }

    private String metadata(String groupId) {
        return baseUrl() + "/v1.0/myorg/groups/" + groupId + "/$metadata";
    }

    private Map<String, Object> datasetJson(DatasetSummary dataset) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", dataset.id());
        json.put("name", dataset.name());
        json.put("webUrl", "https://app.powerbi.com/groups/" + dataset.groupId() + "/datasets/" + dataset.id());
        json.put("addRowsAPIEnabled", true);
        json.put("configuredBy", dataset.configuredBy());
        json.put("isRefreshable", false);
        json.put("isEffectiveIdentityRequired", false);
        json.put("isEffectiveIdentityRolesRequired", false);
        json.put("isOnPremGatewayRequired", false);
        json.put("targetStorageMode", "Abf");
        json.put("createdDate", DateTimeFormatter.ISO_INSTANT.format(dataset.createdAt().truncatedTo(ChronoUnit.MILLIS)));
        return json;
    }

    static Map<String, Object> tableJson(DatasetDefinition.Table table) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", table.name());
        json.put("columns", table.columns().stream().map(c -> {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", c.name());
            column.put("dataType", c.dataType().apiName());
            if (c.formatString() != null) {
                column.put("formatString", c.formatString());
            }
            if (c.sortByColumn() != null) {
                column.put("sortByColumn", c.sortByColumn());
            }
            return column;
        }).toList());
        json.put("measures", table.measures().stream().map(m -> Map.of("name", m.name(), "expression", m.expression())).toList());
        return json;
    }

    // ---- lifecycle and accessors ----

    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.port();
    }

    /** {@code http://localhost:{port}} */
    public String baseUrl() {
        return "http://localhost:" + port();
    }

    /** The base the REST paths hang off, as {@code https://api.powerbi.com/v1.0/myorg} in production. */
    public String apiBaseUrl() {
        return baseUrl() + "/v1.0/myorg";
    }

    public PowerBiSimulator addWorkspace(String groupId, String name) {
        store.addWorkspace(groupId, name);
        return this;
    }

    public PowerBiSimulator addMember(String groupId, String appId, WorkspaceRole role) {
        store.addMember(groupId, appId, role);
        return this;
    }

    public PushDatasetStore store() {
        return store;
    }

    public FaultInjector faults() {
        return faults;
    }

    /** Switches behaviour at run time, e.g. {@code sim.settings(sim.settings().withSequenceNumbers(false))}. */
    public void settings(PowerBiSettings settings) {
        store.settings(settings);
    }

    public PowerBiSettings settings() {
        return store.settings();
    }

    /** The highest push sequence number applied per app id for a table; empty if none (or no such table). */
    public Map<String, Long> sequenceNumbers(String datasetId, String table) {
        return store.keptSequenceNumbers(datasetId, table);
    }

    /** Every dataset in every workspace, with row counts. */
    public List<DatasetSummary> datasets() {
        return store.allDatasets();
    }

    /** A table's row values, oldest first (blank columns absent). */
    public List<Map<String, Object>> rows(String datasetId, String table) {
        return store.storedRows(datasetId, table).stream().map(StoredRow::values).toList();
    }

    public List<StoredRow> storedRows(String datasetId, String table) {
        return store.storedRows(datasetId, table);
    }

    /**
     * Every POST rows request received, in the order they were handled (arrival order unless a fault held one), with
     * whether it was applied, its sequence number and batch ids: e.g. "no batch id in two applied records".
     */
    public List<PostRowsRecord> postRowsLog() {
        return List.copyOf(postRowsLog);
    }
}
