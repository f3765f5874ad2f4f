package io.mlconnector.freshbooks;

/**
 * FreshBooks refused a code or refresh token ({@code invalid_grant}). Retrying cannot help: the user
 * has to authorize the connector again.
 */
public final class InvalidGrantException extends RuntimeException {
    public InvalidGrantException(String message) {
        super(message);
    }
}
