package io.mlconnector.sim.entra;

/** A bearer token the Power BI simulator must refuse, with the reason (expiry is answered differently). */
public final class InvalidTokenException extends RuntimeException {

    public enum Reason { MALFORMED, BAD_SIGNATURE, WRONG_AUDIENCE, NOT_YET_VALID, EXPIRED }

    private final Reason reason;

    public InvalidTokenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
