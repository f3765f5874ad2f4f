package io.mlconnector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PushObserver;
import java.time.Duration;
import java.time.Instant;

/**
 * What the push stream counts when Power BI accepts a batch: its rows by table ({@code powerbi_rows_pushed_total}),
 * and for each record whose rows came from webhooks the time from its oldest event's arrival at the connector to
 * this acceptance ({@code freshness_seconds}, a histogram per tenant). Per instance: only the route's owner
 * pushes, so sum over instances.
 */
public final class PushMeters implements PushObserver {
    /** Buckets around the default objective of 60 s (alerts.freshness-objective). */
    static final Duration[] FRESHNESS_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private final Outbox outbox;
    private final MeterRegistry meters;

    public PushMeters(Outbox outbox, MeterRegistry meters) {
        this.outbox = outbox;
        this.meters = meters;
    }

    @Override
    public void accepted(Outbox.Batch batch, Instant at) {
        Counter.builder("powerbi_rows_pushed").description("Rows Power BI accepted, by table")
                .tag("table", batch.table()).register(meters).increment(batch.rowCount());
        for (Outbox.EventTime event : outbox.eventTimesOf(batch.batchId())) {
            freshness(event.tenantId()).record(Duration.between(event.receivedAt(), at).isNegative() ? Duration.ZERO
                    : Duration.between(event.receivedAt(), at));
        }
    }

    Timer freshness(String tenantId) {
        return Timer.builder("freshness").description(
                        "Time from a webhook event's arrival to Power BI accepting its record's rows, per tenant")
                .tag("tenant", tenantId).serviceLevelObjectives(FRESHNESS_BUCKETS).register(meters);
    }
}
