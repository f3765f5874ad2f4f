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

    /**
     * 400 for a POST rows whose sequence number is not above the kept one (only with the 400 switch, §8). What the
     * service answers is not documented; the code {@code InvalidSequenceNumber} is invented.
     */
    public static PowerBiApiException staleSequenceNumber(long sent, long kept) {
        String message = "The sequence number " + sent + " is not greater than the last applied sequence number "
                + kept + " for this table and client; the rows were not added.";
        return new PowerBiApiException(400, codeMessage("InvalidSequenceNumber", message), Map.of(), message);
    }

    /**
     * The tenant setting "Dataset Execute Queries REST API" is off. The real answer is not captured; 401 is chosen
     * because the tenant switches captured for service principals answer 401 (§1.4), with the pbi.error envelope of
     * PowerBINotAuthorizedException and a detail naming the setting (detail shape as in FeatureDeprecatedError, §2.2).
     */
    public static PowerBiApiException executeQueriesDisabled() {
        return new PowerBiApiException(401, pbiError("PowerBINotAuthorizedException", List.of(detail("TenantSetting",
                "The tenant setting 'Dataset Execute Queries REST API' is disabled."))), Map.of(),
                "Dataset Execute Queries REST API is disabled");
    }

    /**
     * 400 for a DAX query the simulator cannot run, in the shape captured from executeQueries (gbrueckl/PowerBI-VSCode
     * issue 45): DatasetExecuteQueriesError with a DetailsMessage and an AnalysisServicesErrorCode (value invented).
     */
    public static PowerBiApiException daxError(String message) {
        Map<String, Object> pbi = new LinkedHashMap<>();
        pbi.put("code", "DatasetExecuteQueriesError");
        pbi.put("parameters", Map.of());
        pbi.put("details", List.of(detail("DetailsMessage", message), detail("AnalysisServicesErrorCode", "3238002009")));
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", "DatasetExecuteQueriesError");
        error.put("pbi.error", pbi);
        return new PowerBiApiException(400, Map.of("error", error), Map.of(), message);
    }

    /**
     * Injected: the tenant switch "Allow service principals to use Power BI APIs" is off. §1.4 has only the code
     * text; the body is modeled on the PowerBINotAuthorizedException envelope.
     */
    public static PowerBiApiException servicePrincipalSwitchOff() {
        return new PowerBiApiException(401, pbiError("ServicePrincipalIsNotAllowedByTenantAdminSwitch"), Map.of(),
                "service principals are not allowed by the tenant admin switch");
    }

    /**
     * POST datasets where creating push datasets is retired: the FeatureDeprecatedError envelope of §2.2, details as
     * captured. The status was not captured ("likely 400 or 403"); 403 is chosen, a refusal no retry changes.
     */
    public static PowerBiApiException featureDeprecated() {
        String message = "Creation of streaming dataset is deprecated. We recommend exploring Real-Time Intelligence in Microsoft Fabric.";
        Map<String, Object> pbi = new LinkedHashMap<>();
        pbi.put("code", "FeatureDeprecatedError");
        pbi.put("details", List.of(
                capturedDetail("LearnMoreLink", "https://learn.microsoft.com/power-bi/connect-data/service-real-time-streaming"
                        + "#types-of-real-time-semantic-models"),
                capturedDetail("FeatureDeprecatedMessage", message)));
        pbi.put("exceptionCulprit", 1);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", "FeatureDeprecatedError");
        error.put("pbi.error", pbi);
        return new PowerBiApiException(403, Map.of("error", error), Map.of(), message);
    }

    /** Injected 403: the body a Viewer gets for a write (e.g. the app's role was lowered while it ran). */
    public static PowerBiApiException injectedForbidden() {
        return new PowerBiApiException(403, pbiError("PowerBINotAuthorizedException"), Map.of(), "injected forbidden");
    }

    private static Map<String, Object> detail(String code, String value) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("code", code);
        detail.put("detail", Map.of("type", 1, "value", value));
        return detail;
    }

    /** A detail as the FeatureDeprecatedError capture has it ({@code "type":0}). */
    private static Map<String, Object> capturedDetail(String code, String value) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("code", code);
        detail.put("detail", Map.of("type", 0, "value", value));
        return detail;
    }

    private static Map<String, Object> codeMessage(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return Map.of("error", error);
    }

    private static Map<String, Object> pbiError(String code) {
        return pbiError(code, List.of());
    }

    private static Map<String, Object> pbiError(String code, List<Object> details) {
        Map<String, Object> pbi = new LinkedHashMap<>();
        pbi.put("code", code);
        pbi.put("parameters", Map.of());
        pbi.put("details", details);
        pbi.put("exceptionCulprit", 1);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("pbi.error", pbi);
        return Map.of("error", error);
    }
}
