package io.mlconnector.alerts;

import io.mlconnector.alerts.AlertRules.Notification;
import io.mlconnector.alerts.AlertRules.State;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers notifications: one log line each at once (WARN when firing, INFO when resolved), and, with
 * {@code alerts.webhook-url}, a JSON POST whose {@code text} Slack and Teams incoming webhooks show, with the alert's
 * fields beside it. POSTs run on their own thread and are retried with a bounded backoff (429, 5xx, no answer), so a
 * failing receiver never holds up the evaluation, let alone the pipeline; past {@link #MAX_WAITING} undelivered
 * POSTs, new ones are dropped (the log line stays).
 */
public final class AlertSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertSender.class);
    static final int MAX_WAITING = 500;

    private final URI webhookUrl;
    private final String instanceId;
    private final HttpClient http;
    private final JsonMapper json;
    private final Duration firstRetry;
    private final Duration maxRetry;
    private final int maxAttempts;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledExecutorService poster = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-webhook");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param webhookUrl  where to POST, or null: log only
     * @param firstRetry  the wait before the first retry; each further one doubles, up to {@code maxRetry}
     * @param maxAttempts POSTs of one notification at most
     */
    public AlertSender(URI webhookUrl, String instanceId, HttpClient http, JsonMapper json, Duration firstRetry,
                       Duration maxRetry, int maxAttempts) {
        this.webhookUrl = webhookUrl;
        this.instanceId = instanceId;
        this.http = http;
        this.json = json;
        this.firstRetry = firstRetry;
        this.maxRetry = maxRetry;
        this.maxAttempts = maxAttempts;
    }

    public void send(Notification n) {
        if (n.state() == State.FIRING) {
            log.warn("ALERT {} {}: {}; fix: {}", n.kind().label(), n.subject(), n.message(), n.fix());
        } else {
            log.info("RESOLVED {} {}: {} (since {})", n.kind().label(), n.subject(), n.message(), n.since());
        }
        if (webhookUrl == null) {
            return;
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            log.warn("alert webhook: {} notifications wait already; not sending {} {}", MAX_WAITING, n.kind().label(), n.subject());
            return;
        }
        String body = json.writeValueAsString(payload(n, instanceId));
        schedule(() -> post(n, body, 1), Duration.ZERO);
    }

    /** The JSON body: {@code text} for Slack and Teams, then the structured fields. */
    static Map<String, Object> payload(Notification n, String instanceId) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean firing = n.state() == State.FIRING;
        body.put("text", (firing ? "[ALERT] " : "[RESOLVED] ") + n.message() + (firing && n.fix() != null ? " Fix: " + n.fix() : ""));
        body.put("status", n.state().label());
        body.put("alert", n.kind().label());
        body.put("subject", n.subject());
        body.put("message", n.message());
        body.put("fix", n.fix());
        body.put("since", n.since().toString());
        body.put("at", n.at().toString());
        body.put("instance", instanceId);
        body.put("source", "ml-connector");
        return body;
    }

    private void post(Notification n, String body, int attempt) {
        String failure;
        boolean retry;
        try {
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(webhookUrl).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            int status = answer.statusCode();
            if (status / 100 == 2) {
                waiting.decrementAndGet();
                return;
            }
            failure = "HTTP " + status;
            retry = status == 408 || status == 429 || status >= 500;
        } catch (IOException e) {
            failure = e.toString();
            retry = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waiting.decrementAndGet();
            return;
        }
        if (retry && attempt < maxAttempts) {
            Duration wait = backoff(attempt);
            log.info("alert webhook answered {} for {} {}; retrying in {} ms", failure, n.kind().label(), n.subject(), wait.toMillis());
            schedule(() -> post(n, body, attempt + 1), wait);
        } else {
            waiting.decrementAndGet();
            log.warn("alert webhook: gave up sending {} {} {} after {} attempts ({}); check alerts.webhook-url",
                    n.state().label(), n.kind().label(), n.subject(), attempt, failure);
        }
    }

    /** Webhook POSTs accepted for sending and not yet delivered or given up on. */
    int waiting() {
        return waiting.get();
    }

    Duration backoff(int attempt) {
        Duration wait = firstRetry.multipliedBy(1L << Math.min(attempt - 1, 20));
        return wait.compareTo(maxRetry) > 0 ? maxRetry : wait;
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            poster.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet(); // closing
        }
    }

    @Override
    public void close() {
        poster.shutdown();
        try {
            poster.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poster.shutdownNow();
    }
}
