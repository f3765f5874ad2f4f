package io.mlconnector.store;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts secrets (OAuth tokens, webhook verifiers) for the database with Tink AEAD (AES256-GCM). The keyset
 * lives in a JSON file outside the database, so a stolen database dump alone reveals nothing. The context
 * (e.g. {@code oauth_grant/refresh/<tenant>}) is the associated data: a ciphertext copied to another row or
 * column does not decrypt.
 */
public final class SecretBox {

    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Aead aead;
    private final Path keysetPath;

    private SecretBox(Aead aead, Path keysetPath) {
        this.aead = aead;
        this.keysetPath = keysetPath;
    }

    /** Loads the keyset file, creating it (owner-only) with a fresh AES256-GCM key when it does not exist. */
    public static SecretBox open(Path keysetPath) {
        try {
            AeadConfig.register();
            if (!Files.exists(keysetPath)) {
                createKeyset(keysetPath);
            }
            warnIfReadableByOthers(keysetPath);
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(keysetPath), InsecureSecretKeyAccess.get());
            return new SecretBox(keyset.getPrimitive(RegistryConfiguration.get(), Aead.class), keysetPath);
        } catch (IOException | GeneralSecurityException e) {
            throw new SecretBoxException("secrets.keyset-path " + keysetPath + ": cannot be read or created ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** A keyset given as its JSON (secrets.keyset); {@code source} names it in messages. */
    public static SecretBox fromJson(String keysetJson, String source) {
        try {
            AeadConfig.register();
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
            return new SecretBox(keyset.getPrimitive(RegistryConfiguration.get(), Aead.class), null);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new SecretBoxException(source + ": not a Tink keyset in JSON (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Adds a new AES256-GCM key to the keyset file and makes it the primary: new secrets are encrypted with it,
     * and secrets encrypted with the older keys still decrypt (they stay in the keyset). The file is replaced
     * atomically and stays owner-only.
     *
     * @return the id of the new primary key
     */
    public static int rotate(Path keysetPath) {
        try {
            AeadConfig.register();
            KeysetHandle old = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(keysetPath), InsecureSecretKeyAccess.get());
            KeysetHandle rotated = KeysetHandle.newBuilder(old)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId().makePrimary())
                    .build();
            Path dir = keysetPath.toAbsolutePath().getParent();
            Path temp = Files.createTempFile(dir, ".keyset", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try {
                writeDurably(temp, TinkJsonProtoKeysetFormat.serializeKeyset(rotated, InsecureSecretKeyAccess.get()));
                Files.move(temp, keysetPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return rotated.getPrimary().getId();
        } catch (IOException | GeneralSecurityException e) {
            throw new SecretBoxException("secrets.keyset-path " + keysetPath.toAbsolutePath() + ": cannot be rotated ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static void writeDurably(Path file, String text) throws IOException {
        Files.writeString(file, text);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void createKeyset(Path keysetPath) throws IOException, GeneralSecurityException {
        Path dir = keysetPath.toAbsolutePath().getParent();
        createOwnerOnlyDirectories(dir);
        String json = TinkJsonProtoKeysetFormat.serializeKeyset(
                KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM), InsecureSecretKeyAccess.get());
        Path temp = Files.createTempFile(dir, ".keyset", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            writeDurably(temp, json);
            // A hard link never replaces an existing file: when two processes race, the first keyset wins.
            Files.createLink(keysetPath, temp);
            log.info("Created a new secrets keyset at {}; back it up apart from the database", keysetPath);
        } catch (FileAlreadyExistsException e) {
            // another process created it first; use theirs
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Folders made for a keyset (such as ~/.config/ml-connector) are the owner's only, where the file system allows. */
    private static void createOwnerOnlyDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    private static void warnIfReadableByOthers(Path keysetPath) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keysetPath);
            if (!OWNER_ONLY.containsAll(permissions)) {
                log.warn("Secrets keyset {} is readable by other users; run chmod 600 on it", keysetPath);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }

    /** Encrypts text bound to its context; returns base64 text for a VARCHAR column. */
    public String encrypt(String plaintext, String context) {
        try {
            byte[] ciphertext = aead.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), context.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ciphertext);
        } catch (GeneralSecurityException e) {
            throw new SecretBoxException("encryption failed for " + context, e);
        }
    }

    /** Decrypts text made by {@link #encrypt} with the same context; fails for any other context or key. */
    public String decrypt(String ciphertext, String context) {
        try {
            byte[] plaintext = aead.decrypt(Base64.getDecoder().decode(ciphertext), context.getBytes(StandardCharsets.UTF_8));
            return new String(plaintext, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretBoxException("cannot decrypt the secret for " + context
                    + " (wrong keyset, or the value was moved from another row)", e);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[keyset=" + (keysetPath == null ? "secrets.keyset" : keysetPath) + "]";
    }

    /** A secret could not be encrypted or decrypted; the message never contains the secret. */
    public static final class SecretBoxException extends RuntimeException {
        SecretBoxException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
