package io.mlconnector.powerbi;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The code and message of a Power BI error body, read from any of its three shapes (powerbi-api.md §3.1):
 * {@code {"error":{"code":…,"pbi.error":{"code":…}}}}, {@code {"error":{"code":…,"message":…}}}, and
 * {@code {"Message":…}} / {@code {"message":…}}. Missing parts are null.
 */
public record PowerBiError(String code, String message) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static PowerBiError parse(String body) {
        if (body == null || body.isBlank()) {
            return new PowerBiError(null, null);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            return new PowerBiError(null, null); // not JSON (a proxy's HTML page): the status says enough
        }
        if (root == null || !root.isObject()) {
            return new PowerBiError(null, null);
        }
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) {
            String code = textOrNull(error.get("code"));
            JsonNode pbi = error.get("pbi.error");
            if (code == null && pbi != null) {
                code = textOrNull(pbi.get("code"));
            }
            String message = textOrNull(error.get("message"));
            if (message == null && pbi != null) {
                message = pbiDetails(pbi);
            }
            return new PowerBiError(code, message);
        }
        if (error != null && error.isString()) {
            return new PowerBiError(error.asString(), textOrNull(root.get("error_description")));
        }
        String message = textOrNull(root.get("Message"));
        if (message == null) {
            message = textOrNull(root.get("message"));
        }
        return new PowerBiError(null, message);
    }

    /** "code: message", or whichever is present, or the fallback. */
    public String describe(String fallback) {
        if (code != null && message != null) {
            return code + ": " + message;
        }
        return code != null ? code : message != null ? message : fallback;
    }

    private static String pbiDetails(JsonNode pbi) {
        JsonNode details = pbi.get("details");
        if (details == null || !details.isArray()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode detail : details.values()) {
            String value = textOrNull(detail.path("detail").get("value"));
            if (value != null) {
                text.append(text.length() == 0 ? "" : " ").append(value);
            }
        }
        return text.length() == 0 ? null : text.toString();
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asString();
    }
}
