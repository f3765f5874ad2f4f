package io.mlconnector.sim.freshbooks;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP face of the simulator: thin handlers that turn a request into one call on {@link OAuthServer},
 * {@link AccountingStore} or {@link WebhookDispatcher}, and render answers and errors in each family's format.
 */
final class FreshBooksRoutes {

    private final Clock clock;
    private final FreshBooksConfig.Behaviour behaviour;
    private final Directory directory;
    private final OAuthServer oauth;
    private final AccountingStore store;
    private final WebhookDispatcher webhooks;
    private final FaultInjector faults;
    private final LongSupplier approvingIdentity;
    private final Consumer<ApiRequest> requests;

    FreshBooksRoutes(Clock clock, FreshBooksConfig.Behaviour behaviour, Directory directory, OAuthServer oauth,
                     AccountingStore store, WebhookDispatcher webhooks, FaultInjector faults, LongSupplier approvingIdentity,
                     Consumer<ApiRequest> requests) {
        this.clock = clock;
        this.behaviour = behaviour;
        this.directory = directory;
        this.oauth = oauth;
        this.store = store;
        this.webhooks = webhooks;
        this.faults = faults;
        this.approvingIdentity = approvingIdentity;
        this.requests = requests;
    }

    void install(RoutesConfig routes) {
        routes.before(this::injectFaults);
        routes.after(ctx -> {
            if (!ctx.path().startsWith("/sim/")) {
                requests.accept(new ApiRequest(clock.instant(), ctx.method().name(), ctx.path(), ctx.statusCode()));
            }
        });
        routes.exception(ApiError.class, (e, ctx) -> renderError(ctx, e));
        routes.exception(JacksonException.class, (e, ctx) ->
                renderError(ctx, ApiError.accounting(400, 1005, "Could not parse the request body.", null, null, null)));
        routes.exception(NumberFormatException.class, (e, ctx) ->
                renderError(ctx, ApiError.accounting(400, 1004, "Invalid number: " + e.getMessage(), null, null, null)));

        routes.get("/oauth/authorize", this::authorize);
        routes.get("/service/auth/oauth/authorize", this::authorize);
        routes.post("/auth/oauth/token", this::token);
        routes.post("/auth/oauth/revoke", this::revoke);
        routes.get("/auth/api/v1/users/me", this::me);

        String cb = "/events/account/{account_id}/events/callbacks";
        routes.post(cb, this::registerCallback);
        routes.get(cb, this::listCallbacks);
        routes.get(cb + "/{id}", this::getCallback);
        routes.put(cb + "/{id}", this::updateCallback);
        routes.delete(cb + "/{id}", this::deleteCallback);

        for (Resource r : Resource.values()) {
            String base = "/accounting/account/{account_id}/" + r.path();
            routes.get(base, ctx -> list(ctx, r));
            routes.post(base, ctx -> create(ctx, r));
            routes.get(base + "/{id}", ctx -> get(ctx, r));
            routes.put(base + "/{id}", ctx -> update(ctx, r));
        }
        routes.delete("/accounting/account/{account_id}/" + Resource.INVOICES.path() + "/{id}", this::deleteInvoice);

        routes.get("/accounting/businesses/{business_uuid}/ledger_accounts/accounts", this::ledgerAccounts);
        routes.get("/accounting/businesses/{business_uuid}/ledger_accounts/accounts/{uuid}", this::ledgerAccount);

        routes.get("/sim/truth/{account_id}", this::truth);
        routes.get("/sim/truth/{account_id}/records/{table}", this::truthRecords);
    }

    // ---------------------------------------------------------------- faults and errors

    private void injectFaults(Context ctx) throws InterruptedException {
        if (ctx.path().startsWith("/sim/")) {
            return;
        }
        Optional<FaultInjector.Rule> rule = faults.decide(ctx.path());
        if (rule.isEmpty()) {
            return;
        }
        FaultInjector.Rule r = rule.get();
        switch (r.kind()) {
            case LATENCY, HOLD -> FaultInjector.delay(r); // the injected slowness itself, or held until released
            case THROTTLE -> {
                ctx.header("Retry-After", Integer.toString(r.retryAfterSeconds()));
                renderError(ctx, new ApiError(429, 429, "Too many requests.", null, null, null, "rate_limited", null));
                ctx.skipRemainingHandlers();
            }
            case SERVER_ERROR -> {
                renderError(ctx, new ApiError(r.status(), 500, "Internal server error.", null, null, null, "server_error", null));
                ctx.skipRemainingHandlers();
            }
        }
    }

    private void renderError(Context ctx, ApiError e) {
        ErrorFormats.Family family = ErrorFormats.familyOf(ctx.path(), ctx.header("X-API-VERSION"),
                behaviour.newAccountingErrors());
        ctx.status(e.status).contentType("application/json").result(ErrorFormats.render(family, e));
    }

    private static void send(Context ctx, JsonNode body) {
        ctx.contentType("application/json").result(Json.MAPPER.writeValueAsString(body));
    }

    // ---------------------------------------------------------------- OAuth and identity

    private void authorize(Context ctx) {
        String redirectUri = ctx.queryParam("redirect_uri");
        String state = ctx.queryParam("state");
        if (!"code".equals(ctx.queryParam("response_type"))) {
            throw ApiError.oauth(400, "unsupported_response_type", "Only response_type=code is supported.");
        }
        String code;
        try {
            code = oauth.authorize(ctx.queryParam("client_id"), redirectUri, ctx.queryParam("scope"),
                    approvingIdentity.getAsLong());
        } catch (ApiError e) {
            if (!"invalid_scope".equals(e.oauthError)) {
                throw e; // unknown client or redirect: never redirect to an unregistered URI
            }
            ctx.redirect(redirectUri + "?error=invalid_scope&error_description=" + enc(e.getMessage())
                    + (state != null ? "&state=" + enc(state) : ""), HttpStatus.FOUND);
            return;
        }
        ctx.redirect(redirectUri + "?code=" + enc(code) + (state != null ? "&state=" + enc(state) : ""), HttpStatus.FOUND);
    }

    private void token(Context ctx) {
        Map<String, String> p = params(ctx);
        String grantType = p.get("grant_type");
        OAuthServer.TokenResponse t;
        if ("authorization_code".equals(grantType)) {
            t = oauth.exchangeCode(p.get("client_id"), p.get("client_secret"), p.get("code"), p.get("redirect_uri"));
        } else if ("refresh_token".equals(grantType)) {
            t = oauth.refresh(p.get("client_id"), p.get("client_secret"), p.get("refresh_token"));
        } else {
            throw ApiError.oauth(400, "unsupported_grant_type", "The authorization grant type is not supported.");
        }
        ctx.header("Cache-Control", "no-store");
        send(ctx, Json.MAPPER.valueToTree(t.toJson()));
    }

    private void revoke(Context ctx) {
        Map<String, String> p = params(ctx);
        oauth.revoke(p.get("client_id"), p.get("client_secret"), p.get("token"));
        send(ctx, Json.MAPPER.createObjectNode());
    }

    /** Token endpoint bodies arrive as form, JSON or multipart depending on the client (reference §2.2). */
    private static Map<String, String> params(Context ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        if (type.contains("json")) {
            JsonNode body = Json.MAPPER.readTree(ctx.body());
            body.properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asString()));
        } else {
            ctx.formParamMap().forEach((k, v) -> out.put(k, v.isEmpty() ? null : v.get(0)));
        }
        return out;
    }

    private void me(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx, "user:profile:read");
        SimUser u = directory.user(t.grant().identityId()).orElseThrow(ApiError::unauthenticated);
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("id", u.identityId());
        r.put("identity_id", u.identityId());
        r.put("identity_uuid", u.identityUuid());
        r.put("first_name", u.firstName());
        r.put("last_name", u.lastName());
        r.put("email", u.email());
        r.put("language", "en");
        r.put("confirmed_at", "2020-01-01T00:00:00Z");
        r.put("created_at", "2020-01-01T00:00:00Z");
        r.put("setup_complete", true);
        r.put("timezone", "America/New_York");
        r.putObject("profile").put("first_name", u.firstName()).put("last_name", u.lastName());
        r.putArray("phone_numbers");
        r.putArray("addresses");
        r.putObject("links").put("me", "/service/auth/api/v1/users/me").put("roles", "/service/auth/api/v1/users/role");
        ObjectNode permissions = r.putObject("permissions");
        ObjectNode subscriptions = r.putObject("subscription_statuses");
        ArrayNode groups = r.putArray("groups");
        ArrayNode roles = r.putArray("roles");
        ArrayNode memberships = r.putArray("business_memberships");
        for (Membership m : u.memberships()) {
            SimBusiness b = m.business();
            permissions.putObject(b.accountId()).putObject("view_reports").put("allowed", true);
            subscriptions.put(b.accountId(), "active");
            ObjectNode g = groups.addObject();
            g.put("id", m.membershipId());
            g.put("group_id", b.businessId());
            g.put("role", m.role());
            g.put("identity_id", u.identityId());
            g.put("identity_uuid", u.identityUuid());
            g.put("business_id", b.businessId());
            g.put("active", true);
            ObjectNode role = roles.addObject();
            role.put("id", m.membershipId() + 1_000_000);
            role.put("role", "owner".equals(m.role()) ? "admin" : m.role());
            role.put("systemid", b.businessId());
            role.put("userid", m.userId());
            role.put("created_at", "2020-01-01T00:00:00Z");
            role.putObject("links").put("destroy", "/service/auth/api/v1/users/role/" + (m.membershipId() + 1_000_000));
            role.put("accountid", b.accountId());
            ObjectNode bm = memberships.addObject();
            bm.put("id", m.membershipId());
            bm.put("role", m.role());
            bm.put("unacknowledged_change", false);
            ObjectNode business = bm.putObject("business");
            business.put("id", b.businessId());
            business.put("business_uuid", b.businessUuid());
            business.put("name", b.name());
            business.put("account_id", b.accountId());
            business.put("date_format", "mm/dd/yyyy");
            business.putObject("address").put("country", "Canada");
            business.putObject("phone_number").putNull("phone_number");
            business.putArray("business_clients");
            business.put("active", true);
            business.put("status", "active");
            business.put("timezone", "America/New_York");
            business.put("advanced_accounting_enabled", true);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("response", r);
        send(ctx, root);
    }

    private OAuthServer.AccessToken authenticate(Context ctx, String... requiredScopes) {
        String h = ctx.header("Authorization");
        String bearer = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
        if (!(oauth.check(bearer) instanceof OAuthServer.Valid valid)) {
            throw ApiError.unauthenticated();
        }
        List<String> provided = valid.token().grant().scopes();
        List<String> missing = new ArrayList<>();
        for (String s : requiredScopes) {
            if (!provided.contains(s)) {
                missing.add(s);
            }
        }
        if (!missing.isEmpty()) {
            throw ApiError.insufficientScope(provided, List.of(requiredScopes));
        }
        return valid.token();
    }

    /** The caller's membership in the account of the path; a token for another business gets 403 AccessDenied. */
    private Membership member(OAuthServer.AccessToken t, String accountId) {
        return directory.membership(t.grant().identityId(), accountId)
                .filter(m -> store.business(accountId).isPresent())
                .orElseThrow(() -> ApiError.forbidden("The user does not have access to account " + accountId + "."));
    }

    private static Actor actor(OAuthServer.AccessToken t, Membership m) {
        return new Actor(t.grant().identityId(), m.userId());
    }

    // ---------------------------------------------------------------- accounting

    private void list(Context ctx, Resource r) {
        OAuthServer.AccessToken t = authenticate(ctx, r.readScope());
        String accountId = ctx.pathParam("account_id");
        member(t, accountId);
        ListResult res = store.list(accountId, r, listQuery(ctx));
        List<String> includes = ctx.queryParams("include[]");
        ObjectNode result = Json.MAPPER.createObjectNode();
        ArrayNode items = result.putArray(r.plural());
        res.items().forEach(rec -> items.add(render(accountId, r, rec, includes)));
        result.put("page", res.page());
        result.put("pages", res.pages());
        result.put("per_page", res.perPage());
        result.put("total", res.total());
        send(ctx, wrapResult(result));
    }

    private void get(Context ctx, Resource r) {
        OAuthServer.AccessToken t = authenticate(ctx, r.readScope());
        String accountId = ctx.pathParam("account_id");
        member(t, accountId);
        long id = idParam(ctx, r);
        ObjectNode rec = store.get(accountId, r, id).orElseThrow(() -> ApiError.notFound(r, id));
        if (behaviour.deletedGetReturns404() && rec.get("vis_state").asInt() == 1) {
            throw ApiError.notFound(r, id);
        }
        sendOne(ctx, r, render(accountId, r, rec, ctx.queryParams("include[]")));
    }

    private void create(Context ctx, Resource r) {
        OAuthServer.AccessToken t = authenticate(ctx, r.writeScope());
        String accountId = ctx.pathParam("account_id");
        Membership m = member(t, accountId);
        ObjectNode rec = store.create(accountId, r, wrapped(ctx, r), actor(t, m));
        sendOne(ctx, r, render(accountId, r, rec, List.of("lines")));
    }

    private void update(Context ctx, Resource r) {
        OAuthServer.AccessToken t = authenticate(ctx, r.writeScope());
        String accountId = ctx.pathParam("account_id");
        Membership m = member(t, accountId);
        long id = idParam(ctx, r);
        ObjectNode rec = store.update(accountId, r, id, wrapped(ctx, r), actor(t, m));
        sendOne(ctx, r, render(accountId, r, rec, List.of("lines")));
    }

    /** HTTP DELETE on an invoice: a soft delete answered with an empty response (reference §4.0, java SDK). */
    private void deleteInvoice(Context ctx) {
        Resource r = Resource.INVOICES;
        OAuthServer.AccessToken t = authenticate(ctx, r.writeScope());
        String accountId = ctx.pathParam("account_id");
        Membership m = member(t, accountId);
        store.delete(accountId, r, idParam(ctx, r), actor(t, m));
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("response");
        send(ctx, root);
    }

    private ObjectNode render(String accountId, Resource r, ObjectNode rec, List<String> includes) {
        if (r == Resource.INVOICES && !includes.contains("lines")) {
            rec.remove("lines");
        }
        if (r == Resource.BILLS && includes.contains("vendor")) {
            store.get(accountId, Resource.BILL_VENDORS, rec.get("vendorid").asLong()).ifPresent(v -> rec.set("vendor", v));
        }
        return rec;
    }

    private static void sendOne(Context ctx, Resource r, ObjectNode rec) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.set(r.singular(), rec);
        send(ctx, wrapResult(result));
    }

    private static ObjectNode wrapResult(ObjectNode result) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("response").set("result", result);
        return root;
    }

    private static JsonNode wrapped(Context ctx, Resource r) {
        JsonNode body = Json.MAPPER.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
        JsonNode inner = body.get(r.singular());
        if (inner == null || !inner.isObject()) {
            throw ApiError.required(r.singular(), r.singular());
        }
        return inner;
    }

    private static long idParam(Context ctx, Resource r) {
        String raw = ctx.pathParam("id");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiError.accounting(404, 1012, r.displayName() + " not found.", r.idField(), r.singular(), raw);
        }
    }

    /** Paging and filters of reference §5. */
    static ListQuery listQuery(Context ctx) {
        int page = intParam(ctx.queryParam("page"), 1, 1014, "page", "Invalid page.");
        int perPage = intParam(ctx.queryParam("per_page"), ListQuery.DEFAULT_PER_PAGE, 1013, "per_page", "Invalid per_page.");
        if (perPage < 1) {
            throw ApiError.accounting(400, 1013, "Invalid per_page.", "per_page", null, Integer.toString(perPage));
        }
        Integer vis = null;
        String rawVis = ctx.queryParam("search[vis_state]");
        if (rawVis != null) {
            vis = intParam(rawVis, 0, 1004, "vis_state", "Invalid vis_state.");
            if (vis > 2) {
                throw ApiError.accounting(400, 1004, "Invalid vis_state.", "vis_state", null, rawVis);
            }
        }
        LocalDate min = dateParam(ctx.queryParam("search[updated_min]"), "updated_min");
        LocalDate max = dateParam(ctx.queryParam("search[updated_max]"), "updated_max");
        if (min != null && max != null && max.isBefore(min)) {
            throw ApiError.accounting(400, 1007, "The date range is backwards.", "updated_max", null, max.toString());
        }
        return new ListQuery(Math.max(page, 1), Math.min(perPage, ListQuery.MAX_PER_PAGE), vis, min, max);
    }

    private static int intParam(String raw, int dflt, int errno, String field, String message) {
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.accounting(400, errno, message, field, null, raw);
        }
    }

    /** Day granularity only: {@code YYYY-MM-DD}; a date-time is refused (strict reading of reference §5). */
    private static LocalDate dateParam(String raw, String field) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return LocalDate.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw ApiError.accounting(400, 1004, "Invalid date for " + field + ", expected YYYY-MM-DD.", field, null, raw);
        }
    }

    // ---------------------------------------------------------------- ledger accounts (business_uuid family)

    private void ledgerAccounts(Context ctx) {
        String accountId = ledgerAccountId(ctx);
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode data = root.putArray("data");
        store.ledgerAccounts(accountId).forEach(data::add);
        send(ctx, root);
    }

    private void ledgerAccount(Context ctx) {
        String accountId = ledgerAccountId(ctx);
        String uuid = ctx.pathParam("uuid");
        ObjectNode account = store.ledgerAccounts(accountId).stream().filter(a -> a.get("uuid").asString().equals(uuid))
                .findFirst().orElseThrow(() -> ApiError.accounting(404, 1012, "Not found.", null, "account", uuid));
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("data", account);
        send(ctx, root);
    }

    private String ledgerAccountId(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx, "user:account:read");
        String uuid = ctx.pathParam("business_uuid");
        directory.membershipByUuid(t.grant().identityId(), uuid)
                .orElseThrow(() -> ApiError.forbidden("The user does not have access to business " + uuid + "."));
        return store.accountIdForUuid(uuid).orElseThrow(() -> ApiError.accounting(404, 1012, "Not found.", null, "business", uuid));
    }

    // ---------------------------------------------------------------- events service

    private void registerCallback(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx);
        String accountId = ctx.pathParam("account_id");
        Membership m = member(t, accountId);
        JsonNode cb = callbackBody(ctx);
        String event = text(cb, "event");
        String uri = text(cb, "uri");
        Optional<String> scope = EventCatalog.scopeFor(event);
        if (scope.isPresent()) {
            authenticate(ctx, scope.get()); // "the scope required is based on the webhook being registered"
        }
        sendCallback(ctx, webhooks.register(accountId, event, uri, actor(t, m)));
    }

    private void listCallbacks(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx);
        String accountId = ctx.pathParam("account_id");
        member(t, accountId);
        ListQuery q = listQuery(ctx);
        List<ObjectNode> all = webhooks.list(accountId, ctx.queryParam("search[event]"));
        int total = all.size();
        int from = (int) Math.min((long) (q.page() - 1) * q.perPage(), total);
        int to = Math.min(from + q.perPage(), total);
        ObjectNode result = Json.MAPPER.createObjectNode();
        ArrayNode items = result.putArray("callbacks");
        all.subList(from, to).forEach(items::add);
        result.put("page", q.page());
        result.put("pages", (total + q.perPage() - 1) / q.perPage());
        result.put("per_page", q.perPage());
        result.put("total", total);
        send(ctx, wrapResult(result));
    }

    private void getCallback(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx);
        String accountId = ctx.pathParam("account_id");
        member(t, accountId);
        long id = callbackId(ctx);
        sendCallback(ctx, webhooks.get(accountId, id).orElseThrow(() -> callbackNotFound(id)));
    }

    /** One PUT, three meanings (reference §3.1): verifier → verify; resend → resend; else event/uri update. */
    private void updateCallback(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx);
        String accountId = ctx.pathParam("account_id");
        member(t, accountId);
        long id = callbackId(ctx);
        JsonNode cb = callbackBody(ctx);
        ObjectNode out;
        if (cb.has("verifier")) {
            out = webhooks.verify(accountId, id, text(cb, "verifier"));
        } else if (cb.path("resend").asBoolean(false)) {
            out = webhooks.resend(accountId, id);
        } else {
            String event = text(cb, "event");
            Optional<String> scope = EventCatalog.scopeFor(event);
            if (scope.isPresent()) {
                authenticate(ctx, scope.get());
            }
            out = webhooks.update(accountId, id, event, text(cb, "uri"));
        }
        sendCallback(ctx, out);
    }

    private void deleteCallback(Context ctx) {
        OAuthServer.AccessToken t = authenticate(ctx);
        String accountId = ctx.pathParam("account_id");
        member(t, accountId);
        webhooks.delete(accountId, callbackId(ctx));
        ctx.status(204);
    }

    private static JsonNode callbackBody(Context ctx) {
        JsonNode body = Json.MAPPER.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
        JsonNode cb = body.get("callback");
        if (cb == null || !cb.isObject()) {
            throw ApiError.unprocessable(List.of("callback: Field required"));
        }
        return cb;
    }

    private static long callbackId(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw callbackNotFound(-1);
        }
    }

    private static ApiError callbackNotFound(long id) {
        return new ApiError(404, 404, "Requested resource could not be found.", "callbackid", "callback",
                Long.toString(id), "not_found", null);
    }

    private static void sendCallback(Context ctx, ObjectNode callback) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.set("callback", callback);
        send(ctx, wrapResult(result));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    // ---------------------------------------------------------------- truth (test read API, no auth)

    private void truth(Context ctx) {
        String accountId = ctx.pathParam("account_id");
        if (store.business(accountId).isEmpty()) {
            throw ApiError.accounting(404, 1012, "Account not found.", "account_id", "account", accountId);
        }
        send(ctx, truthJson(store.truth(accountId), clock));
    }

    private void truthRecords(Context ctx) {
        String accountId = ctx.pathParam("account_id");
        String table = ctx.pathParam("table");
        Resource r = null;
        for (Resource candidate : Resource.values()) {
            if (candidate.plural().equals(table)) {
                r = candidate;
            }
        }
        if (r == null || store.business(accountId).isEmpty()) {
            throw ApiError.accounting(404, 1012, "Not found.", "table", table, table);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode records = root.putArray(table);
        store.all(accountId, r).forEach(records::add);
        send(ctx, root);
    }

    static ObjectNode truthJson(Truth truth, Clock clock) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("account_id", truth.accountId());
        root.put("as_of", FbTime.isoUtc(clock.instant()));
        root.put("counted", "vis_state 0 and 2 (archived records are still real); vis_state 1 excluded");
        ObjectNode tables = root.putObject("tables");
        for (String name : AccountingStore.TRUTH_TABLES) {
            TableTotals t = truth.table(name);
            ObjectNode n = tables.putObject(name);
            n.put("count", t.count());
            n.put("archived", t.archived());
            ObjectNode sums = n.putObject("sums");
            t.sums().forEach((k, v) -> sums.put(k, v.toPlainString()));
        }
        return root;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
