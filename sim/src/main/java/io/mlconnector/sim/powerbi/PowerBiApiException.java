package io.mlconnector.sim.powerbi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A refusal, carrying the exact status, body and headers the reference gives for it (powerbi-api.md §1.4, §3, §5).
 * Thrown by the domain, rendered by one exception handler.
 */
public final class PowerBiApiException extends RuntimeException {
    private final int status;
    private final Object body; // null = empty body
    private final Map<String, String> headers;

    private PowerBiApiException(int status, Object body, Map<String, String> headers, String message) {
        super(message);
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public Object body() {
        return body;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** Retry-After seconds for a 429, else null. */
    public Integer retryAfterSeconds() {
        String value = headers.get("Retry-After");
        return value == null ? null : Integer.valueOf(value);
    }

    /** 400 with {@code {"error":{"code":"InvalidRequest","message":...}}} (code invented, reference §3.2). */
    public static PowerBiApiException invalidRequest(String message) {
        return new PowerBiApiException(400, codeMessage("InvalidRequest", message), Map.of(), message);
    }

    /** 404 {@code PowerBIEntityNotFound} pbi.error envelope: unknown dataset (or one the caller cannot see). */
    public static PowerBiApiException entityNotFound() {
        return new PowerBiApiException(404, pbiError("PowerBIEntityNotFound"), Map.of(), "entity not found");
    }

    /** 404 {@code ItemNotFound}: unknown table of a push dataset (reference §3.2, [INF]). */
    public static PowerBiApiException tableNotFound(String datasetId, String table) {
        String message = "Table '" + table + "' does not exist in dataset " + datasetId + ".";
        return new PowerBiApiException(404, codeMessage("ItemNotFound", message), Map.of(), message);
    }

    /** Not a member of the workspace: 401/403 PowerBINotAuthorizedException or 404 PowerBIEntityNotFound. */
    public static PowerBiApiException notAMember(int status) {
        if (status == 404) {
            return entityNotFound();
        }
        return new PowerBiApiException(status, pbiError("PowerBINotAuthorizedException"), Map.of(), "not a member");
    }

    /** A Viewer trying to write. */
    public static PowerBiApiException viewerCannotWrite() {
        return new PowerBiApiException(403, pbiError("PowerBINotAuthorizedException"), Map.of(),
                "the Viewer role cannot change content");
    }

    /** The SP called a My-workspace path (reference §1.4). */
    public static PowerBiApiException notAccessibleForApplication() {
        return new PowerBiApiException(403, Map.of("Message", "API is not accessible for application"), Map.of(),
                "My workspace is not supported for service principals");
    }

    /** Missing, garbage or foreign bearer token: 401 with an empty body (reference §1.4). */
    public static PowerBiApiException unauthenticated() {
        return new PowerBiApiException(401, null,
                Map.of("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"invalid_token\""),
                "no valid bearer token");
    }

    public static PowerBiApiException tokenExpired(int status) {
        return new PowerBiApiException(status, codeMessage("TokenExpired",
                "Access token has expired, resubmit with a new access token"), Map.of(), "token expired");
    }

    /** 429 with Retry-After in whole seconds and {@code {"error":{"code":"TooManyRequests","message":...}}} (§5). */
    public static PowerBiApiException tooManyRequests(long retryAfterSeconds, String message) {
        return new PowerBiApiException(429, codeMessage("TooManyRequests", message),
                Map.of("Retry-After", Long.toString(retryAfterSeconds)), message);
    }

    public static PowerBiApiException serverError(int status, String message) {
        return new PowerBiApiException(status, codeMessage(status == 503 ? "ServiceUnavailable" : "InternalServerError",
                message), Map.of(), message);
    }

    private static Map<String, Object> codeMessage(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return Map.of("error", error);
    }

    private static Map<String, Object> pbiError(String code) {
        Map<String, Object> pbi = new LinkedHashMap<>();
        pbi.put("code", code);
        pbi.put("parameters", Map.of());
        pbi.put("details", List.of());
        pbi.put("exceptionCulprit", 1);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("pbi.error", pbi);
        return Map.of("error", error);
    }
}
