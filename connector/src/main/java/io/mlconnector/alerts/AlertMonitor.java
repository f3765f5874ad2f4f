package io.mlconnector.alerts;

import io.mlconnector.cluster.LeaseHolder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the alert conditions every {@code alerts.check-interval}, on the one instance of a cluster holding the
 * {@code alerts} lease: reads the conditions and the episodes in progress from the store, applies {@link AlertRules},
 * stores the new episodes, then sends the notifications. Stored before sent: a crash in between loses a notification
 * rather than repeating one.
 */
public final class AlertMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertMonitor.class);
    public static final String LEASE = "alerts";

    private final AlertConditions conditions;
    private final AlertEpisodes episodes;
    private final AlertRules rules;
    private final AlertSender sender;
    private final LeaseHolder lease;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alerts");
        t.setDaemon(true);
        return t;
    });

    public AlertMonitor(AlertConditions conditions, AlertEpisodes episodes, AlertRules rules, AlertSender sender,
                        LeaseHolder lease, Clock clock) {
        this.conditions = conditions;
        this.episodes = episodes;
        this.rules = rules;
        this.sender = sender;
        this.lease = lease;
        this.clock = clock;
    }

    public AlertMonitor start(Duration interval) {
        timer.scheduleWithFixedDelay(this::evaluateQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void evaluateQuietly() {
        try {
            evaluate();
        } catch (RuntimeException e) { // the store does not answer: nothing changes until it does
            log.warn("alert evaluation failed, tried again at the next interval: {}", e.toString());
        }
    }

    /** One evaluation; does nothing unless this instance holds the alerts lease. */
    void evaluate() {
        if (lease.current().isEmpty()) {
            return;
        }
        AlertConditions.Observed observed = conditions.read();
        AlertRules.Outcome outcome = rules.evaluate(episodes.load(), observed.conditions(), observed.undetermined(),
                clock.instant());
        episodes.save(outcome.episodes());
        outcome.notifications().forEach(sender::send);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sender.close();
        lease.close();
    }
}
