package io.mlconnector.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Registered callbacks and their verifiers (encrypted with {@link SecretBox}). Decrypted verifiers of
 * verified callbacks are cached per token so a delivery costs no query and no decryption; every change
 * made here invalidates the entry, and entries expire after {@link #CACHE_TTL} so a callback deleted by
 * another instance stops being accepted soon after.
 */
public final class CallbackRepository {

    public static final Duration CACHE_TTL = Duration.ofSeconds(60);
    private static final String COLUMNS = "uri_token, tenant_id, callback_id, event, verifier_enc, verified, created_at, verified_at";
    private static final RowMapper<Callback> MAPPER = (rs, ctx) -> new Callback(rs.getString("uri_token"),
            rs.getString("tenant_id"), rs.getObject("callback_id", Long.class), rs.getString("event"),
            rs.getString("verifier_enc") != null, rs.getBoolean("verified"), StoreTime.instant(rs, "created_at"),
            StoreTime.instant(rs, "verified_at"));

    private final Database database;
    private final SecretBox secrets;
    private final Clock clock;
    private final SecureRandom random;
    private final Map<String, CachedCallback> verifiedCache = new ConcurrentHashMap<>();

    public CallbackRepository(Database database, SecretBox secrets, Clock clock, SecureRandom random) {
        this.database = database;
        this.secrets = secrets;
        this.clock = clock;
        this.random = random;
    }

    /** A callback with its decrypted verifier (null until callback.verify arrived). */
    public record CallbackWithVerifier(Callback callback, String verifier) {
        @Override
        public String toString() {
            return "CallbackWithVerifier[callback=" + callback + ", verifier=****]";
        }
    }

    private record CachedCallback(CallbackWithVerifier value, Instant loadedAt) {}

    static String verifierContext(String uriToken) {
        return "callback/verifier/" + uriToken;
    }

    /** Creates a callback awaiting registration, under a new unguessable token (32 random bytes, base64url). */
    public Callback createPending(String tenantId, String event) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = StoreTime.now(clock);
        database.inDurableTransaction(handle -> handle.createUpdate(
                        "INSERT INTO callback (uri_token, tenant_id, event, verified, created_at) VALUES (:token, :tenant, :event, FALSE, :now)")
                .bind("token", token).bind("tenant", tenantId).bind("event", event).bind("now", StoreTime.utc(now))
                .execute());
        return new Callback(token, tenantId, null, event, false, false, now, null);
    }

    /** Records FreshBooks' callbackid once the registration answered; false when the token is unknown. */
    public boolean setCallbackId(String uriToken, long callbackId) {
        verifiedCache.remove(uriToken);
        return database.inDurableTransaction(handle -> handle
                .createUpdate("UPDATE callback SET callback_id = :id WHERE uri_token = :token")
                .bind("id", callbackId).bind("token", uriToken).execute() == 1);
    }

    /** Stores the verifier from callback.verify (encrypted), on disk before it returns; false when unknown. */
    public boolean storeVerifier(String uriToken, String verifier) {
        String encrypted = secrets.encrypt(verifier, verifierContext(uriToken));
        verifiedCache.remove(uriToken);
        return database.inDurableTransaction(handle -> handle
                .createUpdate("UPDATE callback SET verifier_enc = :verifier WHERE uri_token = :token")
                .bind("verifier", encrypted).bind("token", uriToken).execute() == 1);
    }

    /** Marks the callback verified (FreshBooks accepted our PUT of the verifier); false when unknown. */
    public boolean markVerified(String uriToken) {
        verifiedCache.remove(uriToken);
        return database.inDurableTransaction(handle -> handle
                .createUpdate("UPDATE callback SET verified = TRUE, verified_at = :now WHERE uri_token = :token")
                .bind("now", StoreTime.utc(StoreTime.now(clock))).bind("token", uriToken).execute() == 1);
    }

    public Optional<Callback> findByToken(String uriToken) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM callback WHERE uri_token = :token")
                .bind("token", uriToken).map(MAPPER).findOne());
    }

    /** The callback and its decrypted verifier, for checking a delivery; cached once verified. */
    public Optional<CallbackWithVerifier> findWithVerifier(String uriToken) {
        Instant now = clock.instant();
        CachedCallback cached = verifiedCache.get(uriToken);
        if (cached != null && cached.loadedAt().plus(CACHE_TTL).isAfter(now)) {
            return Optional.of(cached.value());
        }
        Optional<CallbackWithVerifier> loaded = database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM callback WHERE uri_token = :token")
                .bind("token", uriToken)
                .map((rs, ctx) -> {
                    String encrypted = rs.getString("verifier_enc");
                    String verifier = encrypted == null ? null : secrets.decrypt(encrypted, verifierContext(uriToken));
                    return new CallbackWithVerifier(MAPPER.map(rs, ctx), verifier);
                })
                .findOne());
        loaded.filter(c -> c.callback().verified() && c.verifier() != null)
                .ifPresentOrElse(c -> verifiedCache.put(uriToken, new CachedCallback(c, now)), () -> verifiedCache.remove(uriToken));
        return loaded;
    }

    public List<Callback> listByTenant(String tenantId) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM callback WHERE tenant_id = :tenant ORDER BY created_at, uri_token")
                .bind("tenant", tenantId).map(MAPPER).list());
    }

    /** Deletes the callback; its URL answers 404 from then on. False when unknown. */
    public boolean delete(String uriToken) {
        verifiedCache.remove(uriToken);
        boolean deleted = database.inDurableTransaction(handle -> handle
                .createUpdate("DELETE FROM callback WHERE uri_token = :token").bind("token", uriToken).execute() == 1);
        verifiedCache.remove(uriToken); // a delivery may have re-cached it meanwhile
        return deleted;
    }
}
