package io.mlconnector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PushObserver;
import io.mlconnector.pipeline.RowSink;
import io.mlconnector.pipeline.WebhookWorker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector's metrics beyond those its components register themselves (docs/operations.md lists them all):
 * JVM and process meters, gauges over the store (cluster-wide, each query run at most once per {@link #STORE_TTL}),
 * and the counting wrappers handed to the components that count (per instance). The domain classes only see
 * small interfaces ({@link PushObserver}, {@link TokenRefreshes}) or are wrapped ({@link MeteredRowSink},
 * {@link MeteredFetch}).
 */
public final class ConnectorMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectorMetrics.class);
    /** How long a store reading is reused: scrapes every few seconds must not each run the backlog queries. */
    static final Duration STORE_TTL = Duration.ofSeconds(5);
    /** Tenant states, so that each shows (as 0) before any tenant is in it. */
    static final List<String> TENANT_STATES = List.of("active", "needs_reauthorization");

    private final MeterRegistry meters;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics-refresh");
        t.setDaemon(true);
        return t;
    });

    public ConnectorMetrics(MeterRegistry meters) {
        this.meters = meters;
        new JvmMemoryMetrics().bindTo(meters);
        gc.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        new FileDescriptorMetrics().bindTo(meters);
    }

    /** Counts the refreshes of one service's tokens: {@code token_refreshes_total{service, outcome}}. */
    public TokenRefreshes tokenRefreshes(String service) {
        Counter refreshed = refreshCounter(service, "refreshed");
        Counter failed = refreshCounter(service, "failed");
        return new TokenRefreshes() {
            @Override
            public void refreshed() {
                refreshed.increment();
            }

            @Override
            public void failed() {
                failed.increment();
            }
        };
    }

    private Counter refreshCounter(String service, String outcome) {
        return Counter.builder("token_refreshes").description("Access token refreshes by service and outcome")
                .tag("service", service).tag("outcome", outcome).register(meters);
    }

    public RowSink meter(RowSink sink) {
        return new MeteredRowSink(sink, meters);
    }

    public WebhookWorker.Fetch meter(WebhookWorker.Fetch fetch) {
        return new MeteredFetch(fetch, meters);
    }

    public PushObserver pushObserver(Outbox outbox) {
        return new PushMeters(outbox, meters);
    }

    /**
     * Registers the gauges over the store. Per-tenant waiting ages are refreshed every {@link #STORE_TTL} by a
     * background thread (a gauge per tenant appears when the tenant does).
     */
    public void registerStoreGauges(StoreReadings store, Clock clock) {
        Memo<Long> inboxPending = memo(store::inboxPending);
        Memo<Instant> inboxOldest = memo(store::inboxOldestPending);
        Memo<Long> outboxUnsent = memo(store::outboxUnsent);
        Memo<Instant> outboxOldest = memo(store::outboxOldestUnsent);
        Memo<Map<String, Long>> tenants = memo(store::tenantsByState);
        Memo<Long> blocked = memo(store::blockedTables);
        Gauge.builder("inbox_pending_events", () -> number(inboxPending)).description(
                "Webhook events stored and not processed yet (inbox depth); cluster-wide").register(meters);
        Gauge.builder("inbox_oldest_pending_age_seconds", () -> ageSeconds(read(inboxOldest), clock)).baseUnit("seconds")
                .description("Age of the oldest unprocessed webhook event (0 when none waits); cluster-wide").register(meters);
        Gauge.builder("outbox_unsent_rows", () -> number(outboxUnsent)).description(
                "Rows written for Power BI and not accepted yet (outbox depth); cluster-wide").register(meters);
        Gauge.builder("outbox_oldest_unsent_age_seconds", () -> ageSeconds(read(outboxOldest), clock)).baseUnit("seconds")
                .description("Age of the oldest row Power BI has not accepted (0 when none waits); cluster-wide")
                .register(meters);
        for (String state : TENANT_STATES) {
            Gauge.builder("tenants", () -> {
                        Map<String, Long> byState = read(tenants);
                        return byState == null ? Double.NaN : byState.getOrDefault(state, 0L);
                    })
                    .description("Connected FreshBooks businesses by state; cluster-wide").tag("state", state).register(meters);
        }
        Gauge.builder("powerbi_blocked_tables", () -> number(blocked)).description(
                "Tables that get no rows because the dataset does not match the mapping (mlc status gives the fix); cluster-wide")
                .register(meters);
        MultiGauge waiting = MultiGauge.builder("freshness_waiting_age_seconds").baseUnit("seconds").description(
                        "Per tenant, age of the oldest webhook change not yet accepted by Power BI (0 when none); cluster-wide")
                .register(meters);
        refresher.scheduleWithFixedDelay(() -> {
            try {
                Map<String, Instant> oldest = store.oldestWaitingChangeByTenant();
                java.util.Set<String> ids = new java.util.TreeSet<>(store.tenantIds());
                ids.addAll(oldest.keySet());
                waiting.register(ids.stream().map(id -> MultiGauge.Row.of(Tags.of("tenant", id),
                        ageSeconds(oldest.get(id), clock))).toList(), true);
            } catch (RuntimeException e) { // the store does not answer: the rows keep their last values
                log.debug("could not read waiting changes: {}", e.toString());
            }
        }, 0, STORE_TTL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static <T> Memo<T> memo(Supplier<T> source) {
        return new Memo<>(source, STORE_TTL);
    }

    /** A reading, or null when the store does not answer (the gauge then shows NaN rather than failing the scrape). */
    private static <T> T read(Supplier<T> memo) {
        try {
            return memo.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static double number(Memo<Long> memo) {
        Long value = read(memo);
        return value == null ? Double.NaN : value;
    }

    static double ageSeconds(Instant since, Clock clock) {
        if (since == null) {
            return 0;
        }
        return Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        gc.close();
    }
}
