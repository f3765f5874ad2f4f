package io.mlconnector.sim.entra;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A refusal from the token endpoint, shaped as in reference powerbi-api.md §1.1: {@code error},
 * {@code error_description} starting with the AADSTS code, {@code error_codes}, {@code timestamp},
 * {@code trace_id}, {@code correlation_id}.
 */
public record EntraError(int status, String error, int code, String message) {
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    static EntraError invalidScope(String scope) {
        return new EntraError(400, "invalid_scope", 70011,
                "The provided value for the input parameter 'scope' is not valid. The scope " + scope + " is not valid.");
    }

    static EntraError wrongSecret(String clientId) {
        return new EntraError(401, "invalid_client", 7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value,"
                        + " not the client secret ID, for a secret added to app '" + clientId + "'.");
    }

    static EntraError missingSecret() {
        return new EntraError(401, "invalid_client", 7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }

    static EntraError unknownClient(String clientId, String tenant) {
        return new EntraError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                + "' was not found in the directory '" + tenant + "'. This can happen if the application has not been"
                + " installed by the administrator of the tenant or consented to by any user in the tenant.");
    }

    static EntraError unknownTenant(String tenant) {
        return new EntraError(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found.");
    }

    static EntraError missingParameter(String name) {
        return new EntraError(400, "invalid_request", 900144,
                "The request body must contain the following parameter: '" + name + "'.");
    }

    static EntraError unsupportedGrant(String grantType) {
        return new EntraError(400, "unsupported_grant_type", 70003,
                "The app requested an unsupported grant type '" + grantType + "'.");
    }

    static EntraError invalidRequest(String message) {
        return new EntraError(400, "invalid_request", 900144, message);
    }

    /** The JSON body, stamped with the clock's time and fresh trace and correlation ids. */
    public Map<String, Object> body(Clock clock, String correlationId) {
        String traceId = UUID.randomUUID().toString();
        String timestamp = TIMESTAMP.format(clock.instant());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + message + " Trace ID: " + traceId
                + " Correlation ID: " + correlationId + " Timestamp: " + timestamp);
        body.put("error_codes", List.of(code));
        body.put("timestamp", timestamp);
        body.put("trace_id", traceId);
        body.put("correlation_id", correlationId);
        return body;
    }
}
