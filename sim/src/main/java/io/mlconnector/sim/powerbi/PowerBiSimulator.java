package io.mlconnector.sim.powerbi;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson3;
import io.mlconnector.sim.common.FaultControl;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.entra.InvalidTokenException;
import io.mlconnector.sim.entra.TokenValidator;
import io.mlconnector.sim.entra.ValidatedToken;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The Power BI REST API's push-dataset surface (reference powerbi-api.md §2), plain HTTP, for service principals
 * holding tokens from the Entra simulator. Handlers only authenticate, apply injected faults and call one
 * {@link PushDatasetStore} operation. Also serves {@code /sim}: a read-only view of datasets and rows for tests
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

    private final Clock clock;
    private final TokenValidator tokens;
    private final FaultInjector faults;
    private final PushDatasetStore store;
    private final List<PostRowsRecord> postRowsLog = new CopyOnWriteArrayList<>();
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

    /** Starts on {@code port} (0 = any free port) on localhost. */
    public synchronized PowerBiSimulator start(int port) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson3(Json.MAPPER, false));
            cfg.jetty.host = "localhost";
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

    /** Logged whatever the answer, so tests can see every attempt and when it arrived. */
    private void postRows(Context ctx) throws InterruptedException {
        Instant receivedAt = clock.instant();
        String requestId = ctx.attribute(REQUEST_ID);
        String appId = null;
        int rowCount = 0;
        int status = 500;
        Integer retryAfter = null;
        try {
            appId = authenticate(ctx).appId();
            try (PushDatasetStore.PendingPost post = store.openPost(appId, ctx.pathParam("groupId"),
                    ctx.pathParam("datasetId"), ctx.pathParam("tableName"))) {
                injectFaults(ctx);
                JsonNode body = store.rowValidator().parse(ctx.bodyAsBytes());
                rowCount = RowValidator.rowCount(body);
                store.postRows(post, body, requestId);
            }
            status = 200;
            ctx.status(200);
        } catch (PowerBiApiException e) {
            status = e.status();
            retryAfter = e.retryAfterSeconds();
            throw e;
        } finally {
            postRowsLog.add(new PostRowsRecord(receivedAt, requestId, appId, ctx.pathParam("groupId"),
                    ctx.pathParam("datasetId"), ctx.pathParam("tableName"), status, rowCount, retryAfter));
        }
    }

    private void deleteRows(Context ctx) throws InterruptedException {
        ValidatedToken caller = authenticate(ctx);
        injectFaults(ctx);
        store.deleteRows(caller.appId(), ctx.pathParam("groupId"), ctx.pathParam("datasetId"), ctx.pathParam("tableName"));
        ctx.status(200);
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
        Optional<FaultInjector.Rule> rule = faults.decide(ctx.path());
        if (rule.isEmpty()) {
            return;
        }
        switch (rule.get().kind()) {
            case LATENCY, HOLD -> FaultInjector.delay(rule.get());
            case THROTTLE -> throw PowerBiApiException.tooManyRequests(rule.get().retryAfterSeconds(),
                    "You have exceeded the amount of requests allowed in the current time frame and further requests"
                            + " will fail. Retry in " + rule.get().retryAfterSeconds() + " seconds.");
            case SERVER_ERROR -> throw PowerBiApiException.serverError(rule.get().status(), "injected server error");
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

    public void settings(PowerBiSettings settings) {
        store.settings(settings);
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

    /** Every POST rows request received, in arrival order. */
    public List<PostRowsRecord> postRowsLog() {
        return List.copyOf(postRowsLog);
    }
}
