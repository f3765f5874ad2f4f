package io.mlconnector.pipeline;

import java.time.Instant;

/**
 * Told by the {@link Pusher} when Power BI accepted a batch (a 2xx, or an unknown outcome found applied), so that
 * metrics count rows and freshness without living in the push loop. Called on the pusher's thread: keep it short,
 * and never throw.
 */
@FunctionalInterface
public interface PushObserver {
    void accepted(Outbox.Batch batch, Instant at);

    PushObserver NONE = (batch, at) -> {};
}
