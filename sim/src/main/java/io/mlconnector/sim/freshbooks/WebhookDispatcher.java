package io.mlconnector.sim.freshbooks;

import io.mlconnector.sim.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * FreshBooks' events service (reference §3): callbacks per account, the asynchronous {@code callback.verify}
 * handshake, and signed form-encoded deliveries to verified callbacks only. One worker thread delivers in order,
 * applying the {@link DeliveryFaults} switches; every attempt lands in the {@link #deliveryLog()}.
 */
public final class WebhookDispatcher implements EventSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final String USER_AGENT = "FreshHooks/0.4 (ml-connector FreshBooks simulator)";
    private static final String VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final Object FLUSH = new Object();

    /** A registered callback; mutable, guarded by the dispatcher. */
    private static final class Callback {
        final long id;
        final String accountId;
        final long userId;
        String event;
        String uri;
        String verifier;
        boolean verified;
        Instant updatedAt;

        Callback(long id, String accountId, long userId, String event, String uri, String verifier, Instant now) {
            this.id = id;
            this.accountId = accountId;
            this.userId = userId;
            this.event = event;
            this.uri = uri;
            this.verifier = verifier;
            this.updatedAt = now;
        }

        ObjectNode toJson() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("callbackid", id);
            n.put("event", event);
            n.put("uri", uri);
            n.put("verified", verified);
            n.put("updated_at", FbTime.isoUtc(updatedAt));
            return n;
        }
    }

    private record Delivery(long callbackId, String accountId, String uri, String verifier, WebhookEvent event, int attempt) {
        Delivery next() {
            return new Delivery(callbackId, accountId, uri, verifier, event, attempt + 1);
        }
    }

    private record Retry(Delivery delivery) {}

    private final Clock clock;
    private final FreshBooksConfig.Behaviour behaviour;
    private final DeliveryFaults faults = new DeliveryFaults();
    private final Random faultRandom;
    private final SecureRandom secureRandom = new SecureRandom();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, LinkedHashMap<Long, Callback>> callbacks = new LinkedHashMap<>();
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final List<Delivery> held = new ArrayList<>();
    private final List<DeliveryAttempt> log = new CopyOnWriteArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final ScheduledExecutorService scheduler;
    private final Thread worker;
    private volatile boolean running = true;
    private long nextCallbackId = 2001;
    private Instant heldSince;

    public WebhookDispatcher(Clock clock, FreshBooksConfig.Behaviour behaviour, long seed) {
        this.clock = clock;
        this.behaviour = behaviour;
        this.faultRandom = new Random(seed);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fb-sim-webhook-scheduler"));
        this.worker = daemon(this::deliverLoop, "fb-sim-webhook-delivery");
        this.worker.start();
    }

    public DeliveryFaults faults() {
        return faults;
    }

    /** Every delivery and verification attempt so far, in the order attempted. */
    public List<DeliveryAttempt> deliveryLog() {
        return List.copyOf(log);
    }

    public void clearDeliveryLog() {
        log.clear();
    }

    /** Sends what the reorder window holds now instead of waiting for it to fill. */
    public void flush() {
        queue.add(FLUSH);
    }

    // ---------------------------------------------------------------- callback management

    public synchronized ObjectNode register(String accountId, String event, String uri, Actor actor) {
        validate(event, uri);
        Callback cb = new Callback(nextCallbackId++, accountId, actor.userId(), event, uri, newVerifier(), clock.instant());
        callbacks.computeIfAbsent(accountId, a -> new LinkedHashMap<>()).put(cb.id, cb);
        scheduleVerification(cb);
        return cb.toJson();
    }

    /** Callbacks of an account; {@code eventFilter} matches the event and its parent event (reference §3.1). */
    public synchronized List<ObjectNode> list(String accountId, String eventFilter) {
        List<ObjectNode> out = new ArrayList<>();
        for (Callback cb : callbacks.getOrDefault(accountId, new LinkedHashMap<>()).values()) {
            if (eventFilter == null || cb.event.equals(eventFilter) || cb.event.equals(EventCatalog.parentOf(eventFilter))) {
                out.add(cb.toJson());
            }
        }
        return out;
    }

    public synchronized Optional<ObjectNode> get(String accountId, long id) {
        return Optional.ofNullable(find(accountId, id)).map(Callback::toJson);
    }

    /** The verifier of a callback, for tests that play the receiver. */
    public synchronized Optional<String> verifierOf(String accountId, long id) {
        return Optional.ofNullable(find(accountId, id)).map(cb -> cb.verifier);
    }

    public synchronized ObjectNode verify(String accountId, long id, String verifier) {
        Callback cb = require(accountId, id);
        if (!cb.verifier.equals(verifier)) {
            throw ApiError.unprocessable(List.of("verifier: Value error, Invalid verifier."));
        }
        cb.verified = true;
        cb.updatedAt = clock.instant();
        return cb.toJson();
    }

    /** Sends the verification again: the same verifier unless {@code resendNewVerifier} (unknown, reference §3.3). */
    public synchronized ObjectNode resend(String accountId, long id) {
        Callback cb = require(accountId, id);
        if (behaviour.resendNewVerifier()) {
            cb.verifier = newVerifier();
            cb.verified = false;
        }
        cb.updatedAt = clock.instant();
        scheduleVerification(cb);
        return cb.toJson();
    }

    /** Changes event and/or uri; a new uri must be verified again (our choice: the new endpoint has proven nothing). */
    public synchronized ObjectNode update(String accountId, long id, String event, String uri) {
        Callback cb = require(accountId, id);
        validate(event == null ? cb.event : event, uri == null ? cb.uri : uri);
        if (event != null) {
            cb.event = event;
        }
        if (uri != null && !uri.equals(cb.uri)) {
            cb.uri = uri;
            cb.verified = false;
            cb.verifier = newVerifier();
            scheduleVerification(cb);
        }
        cb.updatedAt = clock.instant();
        return cb.toJson();
    }

    public synchronized void delete(String accountId, long id) {
        require(accountId, id);
        callbacks.get(accountId).remove(id);
    }

    // ---------------------------------------------------------------- events in

    @Override
    public synchronized void publish(WebhookEvent event) {
        for (Callback cb : callbacks.getOrDefault(event.accountId(), new LinkedHashMap<>()).values()) {
            if (cb.verified && EventCatalog.covers(cb.event, event.name())) {
                queue.add(new Delivery(cb.id, cb.accountId, cb.uri, cb.verifier, event, 1));
            }
        }
    }

    // ---------------------------------------------------------------- delivery

    private void deliverLoop() {
        while (running) {
            Object item;
            try {
                item = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (item == null) {
                    if (!held.isEmpty() && Duration.between(heldSince, Instant.now()).compareTo(faults.reorderMaxHold()) >= 0) {
                        releaseHeld();
                    }
                } else if (item == FLUSH) {
                    releaseHeld();
                } else if (item instanceof Retry retry) {
                    send(retry.delivery());
                } else {
                    accept((Delivery) item);
                }
            } catch (RuntimeException e) {
                LOG.warn("webhook delivery loop error", e);
            }
        }
    }

    private void accept(Delivery d) {
        if (roll(faults.dropShare())) {
            record(d.callbackId(), d.accountId(), d.uri(), d.event().form(), null, d.attempt(), -1,
                    DeliveryAttempt.Outcome.DROPPED);
            return;
        }
        List<Delivery> copies = roll(faults.duplicateShare()) ? List.of(d, d) : List.of(d);
        if (faults.reorderWindow() > 1) {
            if (held.isEmpty()) {
                heldSince = Instant.now();
            }
            held.addAll(copies);
            if (held.size() >= faults.reorderWindow()) {
                releaseHeld();
            }
        } else {
            copies.forEach(this::send);
        }
    }

    private void releaseHeld() {
        List<Delivery> batch = new ArrayList<>(held);
        held.clear();
        Collections.shuffle(batch, faultRandom);
        batch.forEach(this::send);
    }

    private void send(Delivery d) {
        if (!isStillVerified(d.accountId(), d.callbackId())) {
            return; // deleted or re-pointed since the event: nothing to send to
        }
        sleep(faults.latency());
        Map<String, String> form = d.event().form();
        String signature = WebhookSignature.sign(d.verifier(), form);
        int status = post(d.uri(), form, signature);
        boolean ok = status >= 200 && status < 300;
        record(d.callbackId(), d.accountId(), d.uri(), form, signature, d.attempt(), status,
                ok ? DeliveryAttempt.Outcome.DELIVERED : status < 0 ? DeliveryAttempt.Outcome.ERROR : DeliveryAttempt.Outcome.FAILED);
        if (!ok && d.attempt() < faults.maxAttempts() && running) {
            Delivery next = d.next();
            scheduler.schedule(() -> queue.add(new Retry(next)), faults.backoffBefore(next.attempt()).toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private synchronized boolean isStillVerified(String accountId, long callbackId) {
        Callback cb = find(accountId, callbackId);
        return cb != null && cb.verified;
    }

    private void scheduleVerification(Callback cb) {
        LinkedHashMap<String, String> form = new LinkedHashMap<>();
        form.put("name", "callback.verify");
        form.put("object_id", Long.toString(cb.id));
        form.put("verifier", cb.verifier);
        form.put("account_id", cb.accountId);
        form.put("user_id", Long.toString(cb.userId));
        form.put("system", behaviour.systemUrl());
        String uri = cb.uri;
        String signature = behaviour.signVerificationPost() ? WebhookSignature.sign(cb.verifier, form) : null;
        long id = cb.id;
        String accountId = cb.accountId;
        scheduler.execute(() -> {
            int status = post(uri, form, signature);
            record(id, accountId, uri, form, signature, 1, status, status >= 200 && status < 300
                    ? DeliveryAttempt.Outcome.DELIVERED : status < 0 ? DeliveryAttempt.Outcome.ERROR : DeliveryAttempt.Outcome.FAILED);
        });
    }

    /** POSTs the form; returns the status, or -1 when the receiver could not be reached or did not answer in time. */
    private int post(String uri, Map<String, String> form, String signature) {
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri))
                    .timeout(faults.timeout())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("User-Agent", USER_AGENT)
                    .POST(HttpRequest.BodyPublishers.ofString(WebhookSignature.encodeForm(form)));
            if (signature != null) {
                req.header(WebhookSignature.HEADER, signature);
            }
            return http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("webhook POST to {} failed: {}", uri, e.toString());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void record(long callbackId, String accountId, String uri, Map<String, String> form, String signature,
                        int attempt, int status, DeliveryAttempt.Outcome outcome) {
        log.add(new DeliveryAttempt(seq.incrementAndGet(), callbackId, accountId, uri, form.get("name"),
                form.get("object_id"), form, signature, attempt, status, outcome, clock.instant()));
    }

    // ---------------------------------------------------------------- helpers

    private void validate(String event, String uri) {
        List<String> details = new ArrayList<>();
        if (!EventCatalog.isKnown(event)) {
            details.add("event: Value error, Unrecognized event.");
        }
        if (!validUri(uri)) {
            details.add("uri: Input should be a valid URL, relative URL without a base");
        }
        if (!details.isEmpty()) {
            throw ApiError.unprocessable(details);
        }
    }

    private boolean validUri(String uri) {
        if (uri == null) {
            return false;
        }
        try {
            URI u = new URI(uri);
            String scheme = u.getScheme();
            boolean schemeOk = "https".equals(scheme) || (!behaviour.requireHttpsCallbacks() && "http".equals(scheme));
            return schemeOk && u.getHost() != null;
        } catch (Exception e) {
            return false;
        }
    }

    private Callback find(String accountId, long id) {
        LinkedHashMap<Long, Callback> m = callbacks.get(accountId);
        return m == null ? null : m.get(id);
    }

    private Callback require(String accountId, long id) {
        Callback cb = find(accountId, id);
        if (cb == null) {
            throw new ApiError(404, 404, "Requested resource could not be found.", "callbackid", "callback",
                    Long.toString(id), "not_found", null);
        }
        return cb;
    }

    private String newVerifier() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append(VERIFIER_ALPHABET.charAt(secureRandom.nextInt(VERIFIER_ALPHABET.length())));
        }
        return sb.toString();
    }

    private boolean roll(double share) {
        return share > 0 && (share >= 1 || faultRandom.nextDouble() < share);
    }

    private static void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis()); // a simulated slow delivery, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        scheduler.shutdownNow();
    }
}
