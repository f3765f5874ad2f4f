package io.mlconnector.store;

import io.mlconnector.config.ConfigException;
import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyset that belongs to a store (DESIGN §5): at the store's first start the keyset encrypts a known
 * constant into {@code store_meta} (the key-check value); every later start must decrypt it. So a host with a
 * wrong keyset, or an empty data folder that would get a new one, refuses to start instead of writing secrets
 * that the other instances cannot read (and failing to read theirs).
 */
public final class StoreKeyset {
    private static final Logger log = LoggerFactory.getLogger(StoreKeyset.class);
    static final String CHECK_KEY = "keyset_check";
    static final String CHECK_CONTEXT = "store_meta/" + CHECK_KEY;
    private static final String CHECK_PLAINTEXT = "ml-connector keyset check v1";
    private static final String FIX = "copy the keyset file the other instances use (or restore it from backup) to this path";

    private StoreKeyset() {
    }

    /**
     * Opens the keyset at {@code keysetPath} for {@code database}: creates the file only when the store holds
     * no secrets yet (a first start), and stores the key-check value when it has none.
     *
     * @throws ConfigException (one line naming {@code secrets.keyset-path}) when the file is missing but the
     *                         store already has secrets, or the keyset cannot decrypt them
     */
    public static SecretBox open(Database database, Path keysetPath, Clock clock) {
        return open(database, new ConnectorConfig.Secrets(keysetPath), clock);
    }

    /**
     * As {@link #open(Database, Path, Clock)}, for a keyset given either as a file or as its JSON
     * ({@code secrets.keyset}, which wins); a keyset given as JSON must decrypt the store's key-check value too.
     */
    public static SecretBox open(Database database, ConnectorConfig.Secrets secrets, Clock clock) {
        if (secrets.keysetJson() == null) {
            return openFile(database, secrets.keysetPath(), clock);
        }
        String source = secrets.source();
        SecretBox box;
        try {
            box = SecretBox.fromJson(secrets.keysetJson(), source);
        } catch (SecretBox.SecretBoxException e) {
            throw new ConfigException(List.of(e.getMessage() + "; set it to the keyset file's content (one line of JSON)"));
        }
        Optional<String> check = readCheck(database);
        Optional<Secret> secret = check.isPresent() ? Optional.empty() : someSecret(database);
        String fix = "set it to the keyset the other instances use (or restore it from backup)";
        if (check.isPresent()) {
            requireDecrypts(box, source, check.get(), CHECK_CONTEXT, fix);
            return box;
        }
        if (secret.isPresent()) {
            requireDecrypts(box, source, secret.get().ciphertext(), secret.get().context(), fix);
        }
        requireDecrypts(box, source, writeCheck(database, box.encrypt(CHECK_PLAINTEXT, CHECK_CONTEXT), clock), CHECK_CONTEXT, fix);
        return box;
    }

    /**
     * Whether {@code box} still decrypts the store's key-check value (for {@code /ready}): false when the value is
     * missing or another keyset wrote it. Throws when the store does not answer.
     */
    public static boolean stillDecrypts(Database database, SecretBox box) {
        Optional<String> check = readCheck(database);
        if (check.isEmpty()) {
            return false;
        }
        try {
            box.decrypt(check.get(), CHECK_CONTEXT);
            return true;
        } catch (SecretBox.SecretBoxException e) {
            return false;
        }
    }

    private static SecretBox openFile(Database database, Path keysetPath, Clock clock) {
        Optional<String> check = readCheck(database);
        // Without a key-check value: a first start, or the first since key checks exist (then prove the keyset on a secret).
        Optional<Secret> secret = check.isPresent() ? Optional.empty() : someSecret(database);
        if ((check.isPresent() || secret.isPresent()) && !Files.exists(keysetPath)) {
            throw refusal(keysetPath, "the file is missing, but the store already holds secrets encrypted with a keyset; " + FIX);
        }
        SecretBox box = SecretBox.open(keysetPath); // creates it on a first start
        if (check.isPresent()) {
            requireDecrypts(box, keysetPath, check.get(), CHECK_CONTEXT);
            return box;
        }
        if (secret.isPresent()) {
            requireDecrypts(box, keysetPath, secret.get().ciphertext(), secret.get().context());
        }
        String written = writeCheck(database, box.encrypt(CHECK_PLAINTEXT, CHECK_CONTEXT), clock);
        requireDecrypts(box, keysetPath, written, CHECK_CONTEXT); // another instance's first start may have won
        log.info("Stored the key-check value of secrets keyset {}", keysetPath);
        return box;
    }

    private static void requireDecrypts(SecretBox box, Path keysetPath, String ciphertext, String context) {
        requireDecrypts(box, "secrets.keyset-path " + keysetPath.toAbsolutePath(), ciphertext, context, FIX);
    }

    private static void requireDecrypts(SecretBox box, String source, String ciphertext, String context, String fix) {
        try {
            box.decrypt(ciphertext, context);
        } catch (SecretBox.SecretBoxException e) {
            throw new ConfigException(List.of(source + ": this keyset cannot decrypt the store's secrets (it is a new or another keyset); " + fix));
        }
    }

    private static ConfigException refusal(Path keysetPath, String what) {
        return new ConfigException(List.of("secrets.keyset-path " + keysetPath.toAbsolutePath() + ": " + what));
    }

    private static Optional<String> readCheck(Database database) {
        return database.jdbi().withHandle(handle -> readCheck(handle));
    }

    private static Optional<String> readCheck(Handle handle) {
        return handle.createQuery("SELECT meta_value FROM store_meta WHERE meta_key = :key")
                .bind("key", CHECK_KEY).mapTo(String.class).findOne();
    }

    /** Inserts the value unless one exists; returns the one stored (ours, or that of an instance that won the race). */
    private static String writeCheck(Database database, String ciphertext, Clock clock) {
        try {
            database.inDurableTransaction(handle -> handle.createUpdate(
                            "INSERT INTO store_meta (meta_key, meta_value, created_at) VALUES (:key, :value, :now)")
                    .bind("key", CHECK_KEY).bind("value", ciphertext).bind("now", StoreTime.utc(StoreTime.now(clock)))
                    .execute());
        } catch (UnableToExecuteStatementException e) {
            if (!OAuthGrantRepository.isUniqueViolation(e)) {
                throw e;
            }
        }
        return readCheck(database).orElseThrow();
    }

    private record Secret(String ciphertext, String context) {}

    /** Any one secret stored before key checks existed: a grant's access token, or a callback's verifier. */
    private static Optional<Secret> someSecret(Database database) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT grant_id, access_token_enc FROM oauth_grant ORDER BY grant_id FETCH FIRST 1 ROWS ONLY")
                .map((rs, ctx) -> new Secret(rs.getString("access_token_enc"),
                        OAuthGrantRepository.accessContext(rs.getString("grant_id"))))
                .findOne()
                .or(() -> handle.createQuery("SELECT uri_token, verifier_enc FROM callback WHERE verifier_enc IS NOT NULL"
                                + " ORDER BY uri_token FETCH FIRST 1 ROWS ONLY")
                        .map((rs, ctx) -> new Secret(rs.getString("verifier_enc"),
                                CallbackRepository.verifierContext(rs.getString("uri_token"))))
                        .findOne()));
    }
}
