package io.mlconnector.sim.freshbooks;

import io.mlconnector.sim.common.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Renders an {@link ApiError} in the format of the service family its path belongs to (reference §6). */
public final class ErrorFormats {

    private ErrorFormats() {}

    public enum Family { AUTH, EVENTS, BUSINESS_UUID, ACCOUNTING, ACCOUNTING_NEW }

    public static Family familyOf(String path, String apiVersionHeader, boolean newAccountingErrors) {
        if (path.startsWith("/auth/") || path.startsWith("/oauth/") || path.startsWith("/service/auth/")) {
            return Family.AUTH;
        }
        if (path.startsWith("/events/")) {
            return Family.EVENTS;
        }
        if (path.startsWith("/accounting/businesses/")) {
            return Family.BUSINESS_UUID;
        }
        return newAccountingErrors || apiVersionHeader != null ? Family.ACCOUNTING_NEW : Family.ACCOUNTING;
    }

    public static String render(Family family, ApiError e) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        switch (family) {
            case AUTH -> {
                root.put("error", e.oauthError != null ? e.oauthError : "server_error");
                root.put("error_description", e.getMessage());
            }
            case EVENTS -> {
                root.put("errno", e.status);
                root.put("message", eventsMessage(e));
                if (!e.details.isEmpty()) {
                    ArrayNode details = root.putArray("details");
                    e.details.forEach(details::add);
                }
            }
            case BUSINESS_UUID -> {
                ObjectNode errors = root.putObject("errors");
                errors.put("message", "Request failed with status code " + e.status);
                errors.put("status", e.status);
                ObjectNode detail = errors.putArray("details").addObject();
                detail.put("reason", e.getMessage());
                ObjectNode metadata = detail.putObject("metadata");
                metadata.put("message", e.getMessage());
                metadata.put("field", e.field);
            }
            case ACCOUNTING -> {
                ObjectNode error = root.putObject("response").putArray("errors").addObject();
                error.put("errno", e.errno);
                error.put("field", e.field);
                error.put("message", e.getMessage());
                error.put("object", e.object);
                error.put("value", e.value);
            }
            case ACCOUNTING_NEW -> {
                root.put("code", grpcCode(e.status));
                root.put("message", "Request failed with status_code: " + e.status);
                ObjectNode info = root.putArray("details").addObject();
                info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
                info.put("reason", Integer.toString(e.errno));
                info.put("domain", "accounting.api.freshbooks.com");
                ObjectNode metadata = info.putObject("metadata");
                metadata.put("object", e.object);
                metadata.put("message", e.getMessage());
                metadata.put("value", e.value);
                metadata.put("field", e.field);
            }
        }
        return Json.MAPPER.writeValueAsString(root);
    }

    private static String eventsMessage(ApiError e) {
        return switch (e.status) {
            case 401 -> "invalid_token: The request token failed to authenticate or validate.";
            case 404 -> "Requested resource could not be found.";
            default -> e.getMessage();
        };
    }

    private static int grpcCode(int status) {
        return switch (status) {
            case 400 -> 3;
            case 401 -> 16;
            case 403 -> 7;
            case 404 -> 5;
            case 409 -> 10;
            case 429 -> 8;
            default -> status >= 500 ? 13 : 2;
        };
    }
}
