package io.mlconnector.freshbooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import io.mlconnector.store.Database;
import org.jdbi.v3.core.Jdbi;

/**
 * The one-time values of connecting a business: the link an admin mints ({@code mlc connect freshbooks}), and the
 * OAuth {@code state} issued when that link is opened, bound to the browser that opened it by a cookie. Each is
 * usable once before it expires, so neither a forged redirect to our callback nor a stranger who found the public
 * URL connects anything. Kept in the store (as SHA-256 hashes), so the browser may come back to any instance of a
 * cluster.
 */
public final class OAuthStates {
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final String LINK = "link";
    private static final String STATE = "state";

    /** An OAuth state and the secret its browser keeps in a cookie; the callback needs both. */
    public record BrowserState(String state, String browserSecret) {}

    private final Database database;
    private final Jdbi jdbi;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration linkLifetime;

    public OAuthStates(Database database, Clock clock, SecureRandom random, Duration linkLifetime) {
        this.database = database;
        this.jdbi = database.jdbi();
        this.clock = clock;
        this.random = random;
        this.linkLifetime = linkLifetime;
    }

    /** A new one-time link value, valid for the link lifetime. */
    public String mintLink() {
        String link = randomValue();
        insert(LINK, link, null, linkLifetime);
        return link;
    }

    /**
     * Consumes {@code link} (true once, for a minted link that has not expired) and issues a state bound to a new
     * browser secret; empty when the link is unknown, used or expired.
     */
    public Optional<BrowserState> start(String link) {
        if (link == null || !delete(LINK, link, null)) {
            return Optional.empty();
        }
        BrowserState issued = new BrowserState(randomValue(), randomValue());
        insert(STATE, issued.state(), hash(issued.browserSecret()), LIFETIME);
        return Optional.of(issued);
    }

    /** True once for a state we issued to the browser holding {@code browserSecret}, not expired. */
    public boolean consume(String state, String browserSecret) {
        if (state == null || browserSecret == null) {
            return false;
        }
        return delete(STATE, state, hash(browserSecret));
    }

    private void insert(String kind, String value, String browserHash, Duration lifetime) {
        Instant now = clock.instant();
        // durable: the value is handed to a person, who must be able to use it even if the process dies next
        database.inDurableTransaction(h -> {
            h.createUpdate("DELETE FROM oauth_state WHERE expires_at < :now").bind("now", now).execute();
            h.createUpdate("INSERT INTO oauth_state (state_hash, expires_at, kind, browser_hash)"
                            + " VALUES (:hash, :expires, :kind, :browser)")
                    .bind("hash", hash(value)).bind("expires", now.plus(lifetime)).bind("kind", kind)
                    .bind("browser", browserHash).execute();
            return null;
        });
    }

    /** Of two instances deleting the same row, one wins: that is what makes each value usable once. */
    private boolean delete(String kind, String value, String browserHash) {
        String browserMatch = browserHash == null ? "" : " AND browser_hash = :browser";
        return jdbi.withHandle(h -> {
            var delete = h.createUpdate("DELETE FROM oauth_state WHERE state_hash = :hash AND kind = :kind"
                            + " AND expires_at >= :now" + browserMatch)
                    .bind("hash", hash(value)).bind("kind", kind).bind("now", clock.instant());
            if (browserHash != null) {
                delete.bind("browser", browserHash);
            }
            return delete.execute();
        }) == 1;
    }

    private String randomValue() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
