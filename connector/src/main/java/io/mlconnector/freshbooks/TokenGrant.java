package io.mlconnector.freshbooks;

import java.time.Instant;

/** A FreshBooks token pair as issued; the refresh token is single use (reference §2.5). */
public record TokenGrant(String accessToken, String refreshToken, Instant accessExpiresAt, String scope) {

    @Override
    public String toString() {
        return "TokenGrant[expires " + accessExpiresAt + ", scope " + scope + "]"; // never print tokens
    }
}
