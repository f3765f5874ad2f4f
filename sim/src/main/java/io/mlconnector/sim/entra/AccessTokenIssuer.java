package io.mlconnector.sim.entra;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/** Signs app-only access tokens for Power BI (RS256, v1-style issuer as real Power BI tokens carry). */
public final class AccessTokenIssuer {
    /** The resource ({@code aud}) of Power BI tokens; the scope is this plus {@code /.default}. */
    public static final String POWER_BI_RESOURCE = "https://analysis.windows.net/powerbi/api";

    private final RSAKey signingKey;
    private final Clock clock;

    public AccessTokenIssuer(Clock clock) {
        this.clock = clock;
        try {
            this.signingKey = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate the token signing key", e);
        }
    }

    public RSAPublicKey publicKey() {
        try {
            return signingKey.toRSAPublicKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signed token for {@code app}, valid from now for {@code lifetime}. */
    public IssuedToken issue(RegisteredApp app, Duration lifetime) {
        // JWT dates have whole-second precision; truncate so exp is exactly iat + lifetime.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant expiresAt = now.plus(lifetime);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .audience(POWER_BI_RESOURCE)
                .issuer("https://sts.windows.net/" + app.tenantId() + "/")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .subject(app.objectId())
                .claim("tid", app.tenantId())
                .claim("appid", app.clientId())
                .claim("oid", app.objectId())
                .claim("app_displayname", app.displayName())
                .claim("appidacr", "1")
                .claim("idtyp", "app")
                .claim("ver", "1.0")
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT).keyID(signingKey.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new IssuedToken(jwt.serialize(), expiresAt);
    }

    public record IssuedToken(String accessToken, Instant expiresAt) {}
}
