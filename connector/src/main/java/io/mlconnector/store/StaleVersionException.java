package io.mlconnector.store;

/** An optimistic update lost: the row's version is no longer the one the caller read. Re-read and decide again. */
public final class StaleVersionException extends RuntimeException {

    public StaleVersionException(String message) {
        super(message);
    }
}
