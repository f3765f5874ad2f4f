package io.mlconnector.cli;

/** A command could not do its job for a reason the user can act on; {@link Main} prints the message alone. */
final class CommandFailure extends RuntimeException {
    CommandFailure(String message) {
        super(message);
    }
}
