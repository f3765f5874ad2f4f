package io.mlconnector.sim.freshbooks;

import java.util.List;

/**
 * A failed request. Carries enough to be rendered in whichever family's error format the path belongs to
 * ({@link ErrorFormats}, reference §6): accounting errno fields, an OAuth error code, events detail strings.
 */
public final class ApiError extends RuntimeException {

    public final int status;
    public final int errno;
    public final String field;
    public final String object;
    public final String value;
    public final String oauthError;
    public final List<String> details;

    public ApiError(int status, int errno, String message, String field, String object, String value,
                    String oauthError, List<String> details) {
        super(message);
        this.status = status;
        this.errno = errno;
        this.field = field;
        this.object = object;
        this.value = value;
        this.oauthError = oauthError;
        this.details = details == null ? List.of() : List.copyOf(details);
    }

    /** Accounting-style error: errno, field, object, value. */
    public static ApiError accounting(int status, int errno, String message, String field, String object, String value) {
        return new ApiError(status, errno, message, field, object, value, null, null);
    }

    public static ApiError notFound(Resource r, long id) {
        return accounting(404, 1012, r.displayName() + " not found.", r.idField(), r.singular(), Long.toString(id));
    }

    public static ApiError invalid(String field, String object, String message, String value) {
        return accounting(400, 1004, message, field, object, value);
    }

    public static ApiError required(String field, String object) {
        return accounting(400, 1001, "Field " + field + " is required.", field, object, null);
    }

    public static ApiError oauth(int status, String error, String description) {
        return new ApiError(status, status, description, null, null, null, error, null);
    }

    public static ApiError unauthenticated() {
        return new ApiError(401, 1003, "The server could not verify that you are authorized to access the URL requested.",
                null, null, null, "unauthenticated", null);
    }

    public static ApiError insufficientScope(List<String> provided, List<String> required) {
        return new ApiError(403, 1003, "Insufficient scope. Provided scopes: " + String.join(" ", provided)
                + ". Required scopes: " + String.join(" ", required) + ".", null, null, null, "insufficient_scope", null);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, 1003, message, null, null, null, "access_denied", null);
    }

    /** Events-service validation error (422 with detail strings, reference §3.2). */
    public static ApiError unprocessable(List<String> details) {
        return new ApiError(422, 422, "The request was well-formed but was unable to be followed due to semantic errors.",
                null, null, null, "invalid_request", details);
    }
}
