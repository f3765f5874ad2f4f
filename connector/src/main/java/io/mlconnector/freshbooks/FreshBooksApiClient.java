package io.mlconnector.freshbooks;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads FreshBooks: the identity, one record by id, and pages of records. Stateless: the caller
 * passes the tenant's current access token and handles {@link UnauthorizedException} by refreshing.
 */
public final class FreshBooksApiClient {
    /** FreshBooks silently caps per_page at 100 (reference §5). */
    public static final int MAX_PER_PAGE = 100;

    private final HttpClient http;
    private final URI apiBaseUrl;
    private final Duration timeout;
    private final JsonMapper json;

    public FreshBooksApiClient(HttpClient http, URI apiBaseUrl, Duration timeout, JsonMapper json) {
        this.http = http;
        this.apiBaseUrl = apiBaseUrl;
        this.timeout = timeout;
        this.json = json;
    }

    /** The access token was refused (expired or revoked): refresh it and try once more. */
    public static final class UnauthorizedException extends FreshBooksException {
        public UnauthorizedException(String message) {
            super(401, message, true);
        }
    }

    /** One page of a listing. */
    public record Page(List<JsonNode> records, int page, int pages, int total) {
        public boolean isLast() {
            return page >= pages;
        }
    }

    public Identity me(String accessToken) {
        JsonNode body = get(accessToken, "/auth/api/v1/users/me").orElseThrow(
                () -> new FreshBooksException(404, "FreshBooks /users/me not found", false));
        JsonNode me = body.path("response");
        List<Business> businesses = new ArrayList<>();
        for (JsonNode membership : me.path("business_memberships")) {
            JsonNode b = membership.path("business");
            // account_id can be null for businesses without accounting; they cannot be connected.
            if (b.path("account_id").isString()) {
                businesses.add(new Business(b.path("account_id").asString(), b.path("id").asLong(),
                        b.path("business_uuid").asString(), b.path("name").asString(), membership.path("role").asString()));
            }
        }
        return new Identity(me.path("id").asLong(), me.path("email").asString(null), List.copyOf(businesses));
    }

    /** The whole record, or empty when FreshBooks says it does not exist (404). */
    public Optional<JsonNode> getRecord(String accessToken, ObjectType type, String accountId, String businessUuid,
                                        String id) {
        String path = type.collectionPath(accountId, businessUuid) + "/" + encode(id)
                + (type.include().isEmpty() ? "" : "?" + type.include());
        return get(accessToken, path).map(body -> type.businessScoped()
                ? body.path("data")
                : body.path("response").path("result").path(type.singularKey()));
    }

    /**
     * One page of records, oldest first where FreshBooks allows sorting. {@code updatedMin} (nullable)
     * filters by the day of {@code updated} (reference §5: day granularity, inclusive).
     * {@code visState} (nullable) selects 0 active, 1 deleted, 2 archived.
     */
    public Page list(String accessToken, ObjectType type, String accountId, String businessUuid, int page,
                     int perPage, LocalDate updatedMin, Integer visState) {
        StringBuilder query = new StringBuilder("page=").append(page).append("&per_page=")
                .append(Math.min(perPage, MAX_PER_PAGE));
        if (updatedMin != null) {
            query.append("&").append(encode("search[updated_min]")).append("=").append(updatedMin);
        }
        if (visState != null) {
            query.append("&").append(encode("search[vis_state]")).append("=").append(visState);
        }
        if (!type.include().isEmpty()) {
            query.append("&").append(type.include().replace("[", "%5B").replace("]", "%5D"));
        }
        JsonNode body = get(accessToken, type.collectionPath(accountId, businessUuid) + "?" + query)
                .orElseThrow(() -> new FreshBooksException(404, "FreshBooks listing not found: " + type, false));
        if (type.businessScoped()) {
            List<JsonNode> all = new ArrayList<>();
            body.path("data").forEach(all::add);
            return new Page(all, 1, 1, all.size()); // this envelope has no paging (reference §4.10)
        }
        JsonNode result = body.path("response").path("result");
        List<JsonNode> records = new ArrayList<>();
        result.path(type.pluralKey()).forEach(records::add);
        return new Page(records, result.path("page").asInt(page), result.path("pages").asInt(0),
                result.path("total").asInt(records.size()));
    }

    private Optional<JsonNode> get(String accessToken, String pathAndQuery) {
        return send(accessToken, "GET", pathAndQuery, null);
    }

    /**
     * One authenticated call. Empty on 404 (and on an empty 2xx body, e.g. a DELETE's 204); throws
     * {@link UnauthorizedException} on 401 and {@link FreshBooksException} on any other failure.
     */
    Optional<JsonNode> send(String accessToken, String method, String pathAndQuery, JsonNode body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(apiBaseUrl.resolve(pathAndQuery))
                .timeout(timeout)
                .header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/json");
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FreshBooksException(-1, "FreshBooks unreachable: " + e.getMessage(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FreshBooksException(-1, "interrupted while calling FreshBooks", true);
        }
        int status = response.statusCode();
        if (status == 404) {
            return Optional.empty();
        }
        if (status == 401) {
            throw new UnauthorizedException("FreshBooks refused the access token");
        }
        if (status < 200 || status > 299) {
            throw new FreshBooksException(status, "FreshBooks answered " + status + " to " + method + " " + pathOnly(pathAndQuery)
                    + ": " + errorMessage(response.body()), FreshBooksException.isRetryableStatus(status));
        }
        if (response.body().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readTree(response.body()));
        } catch (JacksonException e) {
            throw new FreshBooksException(status, "FreshBooks answered with unreadable JSON for " + pathOnly(pathAndQuery), true);
        }
    }

    /** The message of any of FreshBooks' error envelopes (reference §6), for logs; never the whole body. */
    String errorMessage(String body) {
        try {
            JsonNode node = json.readTree(body);
            JsonNode legacy = node.path("response").path("errors").path(0).path("message");
            if (legacy.isString()) {
                return legacy.asString();
            }
            for (String field : List.of("message", "error_description", "error")) {
                if (node.path(field).isString()) {
                    return node.path(field).asString();
                }
            }
            if (node.path("errors").path("message").isString()) {
                return node.path("errors").path("message").asString();
            }
        } catch (JacksonException ignored) {
            // not JSON: fall through
        }
        return "(no error message)";
    }

    private static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
