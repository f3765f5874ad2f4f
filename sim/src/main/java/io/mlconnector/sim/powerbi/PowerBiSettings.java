package io.mlconnector.sim.powerbi;

/**
 * Switches for behaviour the reference marks as unknown; {@link #STRICT} is the default reading.
 *
 * @param lenientRows ignore row properties that are not columns (default: 400, nothing written), §3.2
 * @param nonMemberStatus answer to a principal that is not a member of the workspace: 401 (default,
 *     PowerBINotAuthorizedException), 403 (same body) or 404 (PowerBIEntityNotFound), §1.4
 * @param expiredTokenStatus answer to an expired token: 403 TokenExpired (default) or 401, §1.4
 * @param sequenceNumbers whether the service honours {@code X-PowerBI-PushData-SequenceNumber} (default true); off
 *     reads §8 "whether today's service still honours the header is unknown": the header is ignored and GET
 *     {@code …/sequenceNumbers} answers 404
 * @param staleSequenceStatus answer to a POST rows whose number is not above the kept one, nothing written: 200
 *     (default; the strict reading, because a client must not count on an error) or 400 InvalidSequenceNumber, §8
 * @param executeQueries whether the tenant setting "Dataset Execute Queries REST API" is on (default true), §8
 * @param strictRelationships refuse a POST that would put a value twice on the one side of a relationship (default
 *     true), as the engine refuses it in import models; for push datasets the outcome is not documented, §2.3
 * @param datasetCreation whether POST datasets creates one (default true); off answers 403 FeatureDeprecatedError, as
 *     tenants where the retirement of push datasets is active do (§2.2, §6, §8 "Creation refused"; status not captured)
 */
public record PowerBiSettings(boolean lenientRows, int nonMemberStatus, int expiredTokenStatus, boolean sequenceNumbers,
                              int staleSequenceStatus, boolean executeQueries, boolean strictRelationships,
                              boolean datasetCreation) {

    public static final PowerBiSettings STRICT = new PowerBiSettings(false, 401, 403, true, 200, true, true, true);

    public PowerBiSettings {
        if (nonMemberStatus != 401 && nonMemberStatus != 403 && nonMemberStatus != 404) {
            throw new IllegalArgumentException("nonMemberStatus must be 401, 403 or 404");
        }
        if (expiredTokenStatus != 401 && expiredTokenStatus != 403) {
            throw new IllegalArgumentException("expiredTokenStatus must be 401 or 403");
        }
        if (staleSequenceStatus != 200 && staleSequenceStatus != 400) {
            throw new IllegalArgumentException("staleSequenceStatus must be 200 or 400");
        }
    }

    /** The settings of before sequence numbers and Execute Queries existed; both on. */
    public PowerBiSettings(boolean lenientRows, int nonMemberStatus, int expiredTokenStatus) {
        this(lenientRows, nonMemberStatus, expiredTokenStatus, true, 200, true, true, true);
    }

    public PowerBiSettings withLenientRows(boolean lenient) {
        return new PowerBiSettings(lenient, nonMemberStatus, expiredTokenStatus, sequenceNumbers, staleSequenceStatus,
                executeQueries, strictRelationships, datasetCreation);
    }

    public PowerBiSettings withNonMemberStatus(int status) {
        return new PowerBiSettings(lenientRows, status, expiredTokenStatus, sequenceNumbers, staleSequenceStatus,
                executeQueries, strictRelationships, datasetCreation);
    }

    public PowerBiSettings withExpiredTokenStatus(int status) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, status, sequenceNumbers, staleSequenceStatus,
                executeQueries, strictRelationships, datasetCreation);
    }

    /** {@code false}: a service that ignores sequence numbers (header ignored, GET sequenceNumbers 404). */
    public PowerBiSettings withSequenceNumbers(boolean honoured) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, expiredTokenStatus, honoured, staleSequenceStatus,
                executeQueries, strictRelationships, datasetCreation);
    }

    /** 200 (default: nothing written, nothing said) or 400 InvalidSequenceNumber for a stale sequence number. */
    public PowerBiSettings withStaleSequenceStatus(int status) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, expiredTokenStatus, sequenceNumbers, status,
                executeQueries, strictRelationships, datasetCreation);
    }

    /** {@code false}: the tenant has "Dataset Execute Queries REST API" off (executeQueries answers 401). */
    public PowerBiSettings withExecuteQueries(boolean enabled) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, expiredTokenStatus, sequenceNumbers,
                staleSequenceStatus, enabled, strictRelationships, datasetCreation);
    }

    /** {@code false}: accept duplicate values on the one side of a relationship (what a push dataset may well do). */
    public PowerBiSettings withStrictRelationships(boolean strict) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, expiredTokenStatus, sequenceNumbers,
                staleSequenceStatus, executeQueries, strict, datasetCreation);
    }

    /** {@code false}: the service refuses to create push datasets (403 FeatureDeprecatedError); existing ones work. */
    public PowerBiSettings withDatasetCreation(boolean allowed) {
        return new PowerBiSettings(lenientRows, nonMemberStatus, expiredTokenStatus, sequenceNumbers,
                staleSequenceStatus, executeQueries, strictRelationships, allowed);
    }
}
