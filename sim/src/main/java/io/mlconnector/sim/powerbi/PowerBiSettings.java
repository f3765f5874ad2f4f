package io.mlconnector.sim.powerbi;

/**
 * Switches for behaviour the reference marks as unknown; {@link #STRICT} is the default reading.
 *
 * @param lenientRows ignore row properties that are not columns (default: 400, nothing written), §3.2
 * @param nonMemberStatus answer to a principal that is not a member of the workspace: 401 (default,
 *     PowerBINotAuthorizedException), 403 (same body) or 404 (PowerBIEntityNotFound), §1.4
 * @param expiredTokenStatus answer to an expired token: 403 TokenExpired (default) or 401, §1.4
 */
public record PowerBiSettings(boolean lenientRows, int nonMemberStatus, int expiredTokenStatus) {

    public static final PowerBiSettings STRICT = new PowerBiSettings(false, 401, 403);

    public PowerBiSettings {
        if (nonMemberStatus != 401 && nonMemberStatus != 403 && nonMemberStatus != 404) {
            throw new IllegalArgumentException("nonMemberStatus must be 401, 403 or 404");
        }
        if (expiredTokenStatus != 401 && expiredTokenStatus != 403) {
            throw new IllegalArgumentException("expiredTokenStatus must be 401 or 403");
        }
    }

    public PowerBiSettings withLenientRows(boolean lenient) {
        return new PowerBiSettings(lenient, nonMemberStatus, expiredTokenStatus);
    }

    public PowerBiSettings withNonMemberStatus(int status) {
        return new PowerBiSettings(lenientRows, status, expiredTokenStatus);
    }

    public PowerBiSettings withExpiredTokenStatus(int status) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, status);
    }
}
