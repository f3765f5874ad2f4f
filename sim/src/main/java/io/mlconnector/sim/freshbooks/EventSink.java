package io.mlconnector.sim.freshbooks;

/** Where the accounting store reports changes; the webhook dispatcher is the real one. */
@FunctionalInterface
public interface EventSink {
    void publish(WebhookEvent event);
}
