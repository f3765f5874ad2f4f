package io.mlconnector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlconnector.freshbooks.InvalidGrantException;
import io.mlconnector.pipeline.FetchedRecord;
import io.mlconnector.pipeline.RecordKey;
import io.mlconnector.pipeline.WebhookWorker;

/**
 * The webhook worker's fetch with each call counted by outcome ({@code freshbooks_fetches_total}, per instance):
 * {@code found}, {@code gone} (FreshBooks no longer has the record), {@code needs_reauthorization} (the tenant's
 * grant was refused) or {@code failed} (retried later, dead-lettered after {@code pipeline.dead-letter-after}).
 */
public final class MeteredFetch implements WebhookWorker.Fetch {
    private final WebhookWorker.Fetch delegate;
    private final Counter found;
    private final Counter gone;
    private final Counter reauthorization;
    private final Counter failed;

    public MeteredFetch(WebhookWorker.Fetch delegate, MeterRegistry meters) {
        this.delegate = delegate;
        this.found = counter(meters, "found");
        this.gone = counter(meters, "gone");
        this.reauthorization = counter(meters, "needs_reauthorization");
        this.failed = counter(meters, "failed");
    }

    private static Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder("freshbooks_fetches").description("Record fetches after webhooks, by outcome")
                .tag("outcome", outcome).register(meters);
    }

    @Override
    public FetchedRecord fetch(RecordKey key) {
        try {
            FetchedRecord read = delegate.fetch(key);
            (read.record().isPresent() ? found : gone).increment();
            return read;
        } catch (InvalidGrantException e) {
            reauthorization.increment();
            throw e;
        } catch (RuntimeException e) {
            failed.increment();
            throw e;
        }
    }
}
