package io.mlconnector.sim.entra;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mlconnector.sim.entra.InvalidTokenException.Reason;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;

/**
 * Checks a bearer token issued by the Entra simulator: RS256 signature by its key, {@code aud} = Power BI,
 * and {@code nbf}/{@code exp} against an instant (no skew allowance, so a moved clock expires it exactly).
 *
 * <p>Whose clock judges expiry is the caller's choice: {@link #validate(String, Instant)} takes the instant, so a
 * resource server (the Power BI simulator) passes its own {@code now}, as the real API judges {@code exp} on its own
 * clock, not Entra's. {@link #validate(String)} uses the clock given to the constructor.
 */
public final class TokenValidator {
    private final RSAPublicKey signingKey;
    private final Clock clock;

    public TokenValidator(RSAPublicKey signingKey, Clock clock) {
        this.signingKey = signingKey;
        this.clock = clock;
    }

    /** Validates at the constructor clock's current instant. */
    public ValidatedToken validate(String token) {
        return validate(token, clock.instant());
    }

    /** Validates with {@code now} judging {@code nbf} and {@code exp}. */
    public ValidatedToken validate(String token, Instant now) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException(Reason.MALFORMED, "not a signed JWT");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !verifies(jwt)) {
            throw new InvalidTokenException(Reason.BAD_SIGNATURE, "signature does not verify");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(AccessTokenIssuer.POWER_BI_RESOURCE)) {
            throw new InvalidTokenException(Reason.WRONG_AUDIENCE, "audience is not " + AccessTokenIssuer.POWER_BI_RESOURCE);
        }
        Date expiration = claims.getExpirationTime();
        Date notBefore = claims.getNotBeforeTime();
        String appId = stringClaim(claims, "appid");
        String tenantId = stringClaim(claims, "tid");
        if (expiration == null || appId == null || tenantId == null) {
            throw new InvalidTokenException(Reason.MALFORMED, "token lacks exp, appid or tid");
        }
        if (notBefore != null && now.isBefore(notBefore.toInstant())) {
            throw new InvalidTokenException(Reason.NOT_YET_VALID, "token is not valid yet");
        }
        if (!now.isBefore(expiration.toInstant())) {
            throw new InvalidTokenException(Reason.EXPIRED, "token expired at " + expiration.toInstant());
        }
        return new ValidatedToken(appId, tenantId, stringClaim(claims, "oid"), expiration.toInstant());
    }

    /** The same key, with expiry judged on {@code otherClock} by {@link #validate(String)}. */
    public TokenValidator withClock(Clock otherClock) {
        return new TokenValidator(signingKey, otherClock);
    }

    private boolean verifies(SignedJWT jwt) {
        try {
            return jwt.verify(new RSASSAVerifier(signingKey));
        } catch (JOSEException e) {
            return false;
        }
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            return null;
        }
    }
}
