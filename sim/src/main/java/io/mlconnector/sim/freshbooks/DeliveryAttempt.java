package io.mlconnector.sim.freshbooks;

import java.time.Instant;
import java.util.Map;

/**
 * One line of the delivery log: an event delivery or verification POST attempt and what came of it.
 * {@code status} is the receiver's HTTP status, or -1 when nothing was answered ({@code outcome} says why).
 */
public record DeliveryAttempt(long seq, long callbackId, String accountId, String uri, String name, String objectId,
                              Map<String, String> form, String signature, int attempt, int status, Outcome outcome,
                              Instant at) {

    public enum Outcome { DELIVERED, FAILED, DROPPED, ERROR }

    public DeliveryAttempt {
        form = Map.copyOf(form);
    }

    public boolean isVerification() {
        return "callback.verify".equals(name);
    }
}
