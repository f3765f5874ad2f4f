package io.mlconnector.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlconnector.freshbooks.WebhookEvents;
import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.freshbooks.WebhookSignature.MalformedFormException;
import io.mlconnector.store.Callback;
import io.mlconnector.store.CallbackRepository;
import io.mlconnector.store.CallbackRepository.CallbackWithVerifier;
import io.mlconnector.store.InboxEvent;
import io.mlconnector.store.InboxWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one FreshBooks webhook POST (freshbooks-api.md §3.3-3.5, DESIGN §5): checks it, and stores a
 * verified delivery durably before answering 2xx. Bad input always gets a 4xx and is never stored as work;
 * only a failing store answers 503 (FreshBooks will retry).
 */
public final class WebhookIntake {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Webhook bodies read at once; more answer 503 at once, so slow senders cannot hold every server thread. */
    public static final int MAX_CONCURRENT_BODIES = 32;
    /** What a 503 asks the sender to wait before retrying. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    static final String VERIFY_EVENT = "callback.verify";

    private static final Logger log = LoggerFactory.getLogger(WebhookIntake.class);

    private final CallbackRepository callbacks;
    private final InboxWriter inbox;
    private final CallbackVerificationListener verificationListener;
    private final Executor listenerExecutor;
    private final MeterRegistry meters;
    private final Counter received;
    private final Clock clock;
    private final Duration storeTimeout;
    private final Semaphore bodySlots = new Semaphore(MAX_CONCURRENT_BODIES);
    private final UnknownTokens unknownTokens;
    private final RejectionLog rejectionLog;

    /** What to answer: an HTTP status and a short reason (also the metric tag; never contains input). */
    public record Outcome(int status, String reason) {}

    /**
     * @param listenerExecutor runs {@link CallbackVerificationListener} calls off the request thread
     * @param storeTimeout     how long a request waits for its group commit before answering 503
     */
    public WebhookIntake(CallbackRepository callbacks, InboxWriter inbox, CallbackVerificationListener verificationListener,
                         Executor listenerExecutor, MeterRegistry meters, Clock clock, Duration storeTimeout) {
        this.callbacks = callbacks;
        this.inbox = inbox;
        this.verificationListener = verificationListener;
        this.listenerExecutor = listenerExecutor;
        this.meters = meters;
        this.clock = clock;
        this.storeTimeout = storeTimeout;
        this.unknownTokens = new UnknownTokens(clock, Duration.ofMinutes(1), 10_000);
        this.rejectionLog = new RejectionLog(log, clock, Duration.ofMinutes(1));
        this.received = Counter.builder("webhook_received")
                .description("Webhook requests received, whatever their answer (accepted, rejected, busy or store failed)")
                .register(meters);
    }

    /** Handles one delivery to {@code /hooks/freshbooks/{callbackToken}}, sent as FreshBooks sends them (a form). */
    public CompletableFuture<Outcome> receive(String callbackToken, InputStream body, String signatureHeader) {
        return receive(callbackToken, FORM, body, signatureHeader);
    }

    /**
     * Handles one delivery; FreshBooks posts {@code application/x-www-form-urlencoded} (reference §3.4), so any other
     * {@code contentType} is refused (415) before its body is read. The body is read and checked in the caller's
     * thread; an event's outcome then completes once its group commit is on disk (or failed, or timed out), so that
     * no thread waits for the disk per request.
     */
    public CompletableFuture<Outcome> receive(String callbackToken, String contentType, InputStream body,
                                              String signatureHeader) {
        received.increment();
        if (unknownTokens.isKnownUnknown(callbackToken)) {
            return done(reject(404, "unknown_token", callbackToken));
        }
        Optional<CallbackWithVerifier> found = callbacks.findWithVerifier(callbackToken);
        if (found.isEmpty()) {
            unknownTokens.remember(callbackToken);
            return done(reject(404, "unknown_token", callbackToken));
        }
        Callback callback = found.get().callback();
        if (!isForm(contentType)) {
            return done(reject(415, "unsupported_content_type", callbackToken));
        }
        if (!bodySlots.tryAcquire()) {
            return done(busy());
        }
        byte[] bytes;
        try {
            // Jetty's minimum request data rate (ConnectorApp) ends a body that dribbles in.
            bytes = readAtMost(body, MAX_BODY_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            return done(reject(400, "unreadable_body", callbackToken));
        } finally {
            bodySlots.release();
        }
        if (bytes.length > MAX_BODY_BYTES) {
            return done(reject(413, "body_too_large", callbackToken));
        }
        Map<String, String> fields;
        try {
            // ISO-8859-1 maps each byte to one char, so the parser sees (and rejects) any raw non-ASCII byte.
            fields = WebhookSignature.parseForm(new String(bytes, StandardCharsets.ISO_8859_1));
        } catch (MalformedFormException e) {
            return done(reject(400, "malformed_form", callbackToken));
        }
        String name = fields.get("name");
        String objectId = fields.get("object_id");
        String accountId = fields.get("account_id");
        if (isBlank(name) || isBlank(objectId) || isBlank(accountId)) {
            return done(reject(400, "missing_field", callbackToken));
        }
        if (!accountId.equals(callback.tenantId())) {
            return done(reject(400, "wrong_account", callbackToken));
        }
        if (name.equals(VERIFY_EVENT)) {
            // Rare, and it decides whether a verifier is stored: judged on the store as it is now, not on the cache of
            // verified callbacks (a handshake being finished again, e.g. by mlc webhooks repair, would be ignored).
            Callback current = callbacks.findByToken(callbackToken).orElse(callback);
            return done(receiveVerification(current, objectId, fields.get("verifier")));
        }
        return receiveEvent(found.get(), fields, signatureHeader);
    }

    private static final String FORM = "application/x-www-form-urlencoded";

    /** The form media type, whatever its parameters (a charset) and case. */
    static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return mediaType.equalsIgnoreCase(FORM);
    }

    /** callback.verify is not signed (§3.3), so it is trusted only for its own callback id and only before verification. */
    private Outcome receiveVerification(Callback callback, String objectId, String verifier) {
        String token = callback.uriToken();
        if (callback.callbackId() != null && !objectId.equals(callback.callbackId().toString())) {
            return reject(400, "verify_for_other_callback", token);
        }
        if (!WebhookEvents.isObjectId(objectId)) {
            return reject(400, WebhookEvents.Refusal.BAD_OBJECT_ID.reason(), token); // a callback id is numeric too
        }
        if (isBlank(verifier)) {
            return reject(400, "missing_verifier", token);
        }
        if (callback.verified()) {
            // Once verified, the verifier signs deliveries; an unsigned message must not replace it.
            accepted("verify_ignored");
            log.info("Webhook callback.verify ignored: callback {} is already verified", shortToken(token));
            return new Outcome(200, "already_verified");
        }
        try {
            callbacks.storeVerifier(token, verifier);
        } catch (RuntimeException e) {
            return storeFailed(token, e);
        }
        accepted("verify");
        log.info("Webhook callback.verify stored for callback {}", shortToken(token));
        listenerExecutor.execute(() -> notifyListener(token));
        return new Outcome(200, "verifier_stored");
    }

    private void notifyListener(String token) {
        try {
            verificationListener.verifierReceived(token);
        } catch (RuntimeException e) {
            log.warn("Callback verification listener failed for callback {}: {}", shortToken(token), e.toString());
        }
    }

    private CompletableFuture<Outcome> receiveEvent(CallbackWithVerifier target, Map<String, String> fields,
                                                    String signatureHeader) {
        Callback callback = target.callback();
        String token = callback.uriToken();
        if (!callback.verified() || target.verifier() == null) {
            return done(reject(401, "callback_not_verified", token));
        }
        if (signatureHeader == null || signatureHeader.isBlank()) {
            return done(reject(401, "missing_signature", token));
        }
        if (!WebhookSignature.verify(fields, signatureHeader, target.verifier())) {
            return done(reject(401, "bad_signature", token));
        }
        String name = fields.get("name");
        String objectId = fields.get("object_id");
        // Signed but unprocessable (unknown event, another callback's family, a non-numeric id) would be retried
        // until dead-lettered: refuse it here instead. Known names and ids also fit the inbox columns.
        Optional<WebhookEvents.Refusal> refusal = WebhookEvents.check(callback.event(), name, objectId);
        if (refusal.isPresent()) {
            return done(reject(400, refusal.get().reason(), token));
        }
        String objectType = name.substring(0, name.indexOf('.'));
        InboxEvent event = new InboxEvent(clock.instant(), callback.tenantId(), token, name, objectType, objectId,
                WebhookSignature.canonicalJson(fields));
        // On timeout orTimeout completes the writer's own future, so a group not yet taken skips the event.
        return inbox.submit(event).orTimeout(storeTimeout.toMillis(), TimeUnit.MILLISECONDS).handle((stored, failure) -> {
            if (failure != null) {
                return storeFailed(token, failure instanceof CompletionException ? failure.getCause() : failure);
            }
            accepted("event");
            return new Outcome(204, "stored");
        });
    }

    private static CompletableFuture<Outcome> done(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    private Outcome reject(int status, String reason, String token) {
        Counter.builder("webhook_rejected").description("Webhook requests refused as bad input")
                .tag("reason", reason).register(meters).increment();
        rejectionLog.rejected(status, reason, shortToken(token));
        return new Outcome(status, reason);
    }

    private Outcome busy() {
        Counter.builder("webhook_busy").description("Webhook requests answered 503 because too many bodies were being read")
                .register(meters).increment();
        return new Outcome(503, "busy");
    }

    private void accepted(String kind) {
        Counter.builder("webhook_accepted").description("Webhook requests stored (events) or handled (verification)")
                .tag("kind", kind).register(meters).increment();
    }

    private Outcome storeFailed(String token, Throwable cause) {
        Counter.builder("webhook_store_failed").description("Webhook requests answered 503 because the store failed")
                .register(meters).increment();
        log.error("Webhook not stored, answered 503 (callback {}): {}", shortToken(token), String.valueOf(cause));
        return new Outcome(503, "store_unavailable");
    }

    /** Enough of the token to tell callbacks apart in logs, not enough to forge a delivery URL. */
    static String shortToken(String token) {
        return token == null ? "-" : token.length() <= 6 ? "…" : token.substring(0, 6) + "…";
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * Up to {@code limit} bytes of {@code body}, in a buffer that starts at 1 KiB and doubles: a delivery is a few
     * hundred bytes, and {@code InputStream.readNBytes} took an 8 KiB buffer for each one (under load, the largest
     * single allocation per webhook, and so more frequent young collections on a small heap).
     */
    static byte[] readAtMost(InputStream body, int limit) throws IOException {
        byte[] buffer = new byte[Math.min(1024, limit)];
        int length = 0;
        while (length < limit) {
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
            }
            int read = body.read(buffer, length, buffer.length - length);
            if (read < 0) {
                break;
            }
            length += read;
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }
}
