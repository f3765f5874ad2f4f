package io.mlconnector.cli;

import java.net.BindException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;

/**
 * Everyday mistakes that surface as exceptions deep in a library (a port in use, a store another process holds),
 * turned into the one line a person needs: what is wrong and the key or flag that fixes it.
 */
final class Mistakes {
    /** H2: "Database may be already in use" (the file is locked by another process). */
    private static final int H2_DATABASE_IN_USE = 90020;

    private Mistakes() {}

    static String explain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "A port is already in use (" + t.getMessage() + "): stop what listens there, or choose another"
                        + " port (server.port in the configuration; --port for mlc sim).";
            }
            if (t instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_IN_USE) {
                return "The H2 store is open in another process, and H2 allows one: stop the other mlc serve or mlc"
                        + " demo, or give this one its own store.jdbc-url (--data for the demo; PostgreSQL for several"
                        + " instances).";
            }
            if (t instanceof NoSuchFileException missing) {
                return "No such file: " + missing.getFile() + ".";
            }
            if (t instanceof ConnectException) {
                return "Nothing answers at the address given (" + t.getMessage() + "): is the service running? (--url,"
                        + " or the port in --config)";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return "Failed: " + root.getClass().getSimpleName() + message;
    }
}
