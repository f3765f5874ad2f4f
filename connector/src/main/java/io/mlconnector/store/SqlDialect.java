package io.mlconnector.store;

import io.mlconnector.config.ConfigException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/** The few statements that differ between H2 and PostgreSQL; everything else is portable SQL. */
public interface SqlDialect {

    /** Picks the dialect from a JDBC URL ({@code jdbc:h2:...} or {@code jdbc:postgresql:...}). */
    static SqlDialect forJdbcUrl(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return new H2();
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return new PostgreSql();
        }
        throw new IllegalArgumentException("store.jdbc-url: only jdbc:h2: and jdbc:postgresql: are supported");
    }

    String name();

    /**
     * Sets the session's transactions to read one consistent snapshot of every table, taken when the transaction
     * starts (H2 {@code SNAPSHOT}, PostgreSQL {@code REPEATABLE READ}); {@code false} sets them back to the
     * default, read committed.
     */
    default void snapshotTransactions(Handle handle, boolean on) {
        handle.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
                + (on ? snapshotLevel() : "READ COMMITTED"));
    }

    /** The isolation level that reads one snapshot of all tables. */
    String snapshotLevel();

    /**
     * Statements run once when the database is opened (after migrations).
     *
     * @throws ConfigException when the database would acknowledge commits it can lose
     */
    void prepare(Handle handle);

    /**
     * Makes every transaction committed so far survive a power cut. Call it after commit, outside a
     * transaction; the group commit calls it once per batch.
     */
    void forceToDisk(Handle handle);

    /** An expression that takes the next value of {@code sequence} (H2: {@code NEXT VALUE FOR s}, PostgreSQL: {@code nextval('s')}). */
    String nextValue(String sequence);

    /**
     * Whether only one process can have the store open (an H2 file; PostgreSQL is shared by instances): claims found
     * there when an instance starts were left by a process that is gone.
     */
    default boolean oneProcess() {
        return false;
    }

    /** Suffix for a SELECT that claims rows without waiting for rows another instance holds. */
    default String forUpdateSkipLocked() {
        return " FOR UPDATE SKIP LOCKED";
    }

    /**
     * An insert-or-update statement with named parameters {@code :column} for each insert column.
     *
     * @param keyColumns    the unique key that decides insert versus update
     * @param insertColumns every column written by an insert (including the key)
     * @param updateColumns the columns an update overwrites (the others keep their values)
     */
    String upsert(String table, List<String> keyColumns, List<String> insertColumns, List<String> updateColumns);

    /**
     * An insert that does nothing when a row with the same key exists, with named parameters {@code :column}. On
     * PostgreSQL a concurrent insert of the same key waits for the other transaction and then does nothing; H2
     * raises a unique violation (SQLState 23505) in that race instead.
     */
    String insertIfAbsent(String table, List<String> keyColumns, List<String> insertColumns);

    /** H2 2.x (embedded file database). */
    final class H2 implements SqlDialect {
        /** How long a commit that is not forced may stay in memory only (H2's default). */
        static final int WRITE_DELAY_MILLIS = 500;

        @Override
        public String name() {
            return "h2";
        }

        @Override
        public boolean oneProcess() {
            return true; // the file is locked by the process that opened it
        }

        @Override
        public void prepare(Handle handle) {
            // H2's own default, 500 ms, set whatever the URL says. A commit reaches the file within that delay;
            // what must survive a crash at once is forced there: every durable transaction ends with CHECKPOINT
            // SYNC (forceToDisk), and webhook events are fsynced in the intake journal before their 2xx. With 0,
            // each commit wrote a chunk of its own and H2's background writer, which rewrites sparse chunks, never
            // ran: the file grew by gigabytes an hour under load (docs/operations.md, "The H2 file").
            handle.execute("SET WRITE_DELAY " + WRITE_DELAY_MILLIS);
        }

        @Override
        public void forceToDisk(Handle handle) {
            // H2 2.5: CHECKPOINT SYNC = Database.sync(): write the MVStore chunk, then FileChannel.force.
            handle.execute("CHECKPOINT SYNC");
        }

        @Override
        public String snapshotLevel() {
            return "SNAPSHOT"; // REPEATABLE READ may take each table's snapshot at its first read
        }

        @Override
        public String nextValue(String sequence) {
            return "NEXT VALUE FOR " + sequence;
        }

        @Override
        public String upsert(String table, List<String> keyColumns, List<String> insertColumns, List<String> updateColumns) {
            return "MERGE INTO " + table + " t USING (VALUES (" + params(insertColumns) + ")) AS s("
                    + String.join(", ", insertColumns) + ") ON "
                    + keyColumns.stream().map(c -> "t." + c + " = s." + c).collect(Collectors.joining(" AND "))
                    + " WHEN MATCHED THEN UPDATE SET "
                    + updateColumns.stream().map(c -> c + " = s." + c).collect(Collectors.joining(", "))
                    + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", insertColumns) + ") VALUES ("
                    + insertColumns.stream().map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
        }

        @Override
        public String insertIfAbsent(String table, List<String> keyColumns, List<String> insertColumns) {
            return "MERGE INTO " + table + " t USING (VALUES (" + params(insertColumns) + ")) AS s("
                    + String.join(", ", insertColumns) + ") ON "
                    + keyColumns.stream().map(c -> "t." + c + " = s." + c).collect(Collectors.joining(" AND "))
                    + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", insertColumns) + ") VALUES ("
                    + insertColumns.stream().map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
        }
    }

    /** PostgreSQL 12+; its commit is durable once {@link #prepare} has checked synchronous_commit (fsync is assumed on). */
    final class PostgreSql implements SqlDialect {
        @Override
        public String name() {
            return "postgresql";
        }

        /**
         * Refuses a server that acknowledges commits it can lose in a crash. Only synchronous_commit {@code off}
         * does that: {@code local}, {@code remote_write} and the rest flush the WAL on this server before COMMIT
         * returns, and differ only in how long they wait for standbys (an HA choice that is the operator's).
         */
        @Override
        public void prepare(Handle handle) {
            if ("off".equalsIgnoreCase(setting(handle, "synchronous_commit"))) {
                throw new ConfigException(List.of("store.jdbc-url: PostgreSQL runs with synchronous_commit = off, so a"
                        + " commit it acknowledged (a webhook answered 2xx) can be lost if the server crashes; set it on"
                        + " (ALTER DATABASE " + database(handle) + " SET synchronous_commit = on, or in postgresql.conf)"
                        + " and start again"));
            }
        }

        private static String setting(Handle handle, String name) {
            return handle.createQuery("SELECT current_setting(:name)").bind("name", name).mapTo(String.class).one();
        }

        private static String database(Handle handle) {
            return handle.createQuery("SELECT current_database()").mapTo(String.class).one();
        }

        @Override
        public void forceToDisk(Handle handle) {
            // nothing: COMMIT returned only after the WAL was flushed
        }

        @Override
        public String snapshotLevel() {
            return "REPEATABLE READ"; // one snapshot for the whole transaction
        }

        @Override
        public String nextValue(String sequence) {
            return "nextval('" + sequence + "')";
        }

        @Override
        public String upsert(String table, List<String> keyColumns, List<String> insertColumns, List<String> updateColumns) {
            return "INSERT INTO " + table + " (" + String.join(", ", insertColumns) + ") VALUES (" + params(insertColumns)
                    + ") ON CONFLICT (" + String.join(", ", keyColumns) + ") DO UPDATE SET "
                    + updateColumns.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        }

        @Override
        public String insertIfAbsent(String table, List<String> keyColumns, List<String> insertColumns) {
            return "INSERT INTO " + table + " (" + String.join(", ", insertColumns) + ") VALUES (" + params(insertColumns)
                    + ") ON CONFLICT (" + String.join(", ", keyColumns) + ") DO NOTHING";
        }
    }

    private static String params(List<String> columns) {
        return columns.stream().map(c -> ":" + c).collect(Collectors.joining(", "));
    }
}
