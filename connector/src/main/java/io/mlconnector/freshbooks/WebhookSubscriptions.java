package io.mlconnector.freshbooks;

import io.mlconnector.store.Callback;
import io.mlconnector.store.CallbackRepository;
import io.mlconnector.web.CallbackVerificationListener;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a tenant's webhooks with FreshBooks and completes the verification handshake (reference
 * §3.3): each event gets its own callback URL with an unguessable token; when FreshBooks' callback.verify
 * reaches that URL (stored by the web intake), the verifier is PUT back and the callback marked verified.
 * The verify message can arrive before the registration call has returned, so both paths try to finish.
 */
public final class WebhookSubscriptions implements CallbackVerificationListener {
    private static final Logger log = LoggerFactory.getLogger(WebhookSubscriptions.class);

    /** The parent events we register: each covers its create/update/delete (reference §3.2). */
    public static final List<String> EVENTS = List.of(
            "invoice", "payment", "expense", "client", "bill", "bill_vendor", "category");

    private final CallbackRepository callbacks;
    private final CallbackRegistrar registrar;
    private final AccessTokens tokens;
    private final URI publicBaseUrl;
    private final Executor executor;

    public WebhookSubscriptions(CallbackRepository callbacks, CallbackRegistrar registrar, AccessTokens tokens,
                                URI publicBaseUrl, Executor executor) {
        this.callbacks = callbacks;
        this.registrar = registrar;
        this.tokens = tokens;
        this.publicBaseUrl = publicBaseUrl;
        this.executor = executor;
    }

    /**
     * Registers every event the tenant does not have a callback for yet, and finishes the handshake of
     * any that is still unverified (confirming a verifier that arrived, or asking FreshBooks to send it
     * again). Returns the callbacks created now.
     */
    public List<Callback> register(String tenantId) {
        List<Callback> existing = callbacks.listByTenant(tenantId);
        for (Callback callback : existing) {
            if (!callback.verified() && callback.callbackId() != null) {
                if (callback.hasVerifier()) {
                    confirm(callback.uriToken());
                } else {
                    registrar.resendVerification(tokens.accessToken(tenantId), tenantId, callback.callbackId());
                }
            }
        }
        Set<String> registered = existing.stream().map(Callback::event).collect(Collectors.toSet());
        List<Callback> created = new ArrayList<>();
        for (String event : EVENTS) {
            if (registered.contains(event)) {
                continue;
            }
            created.add(registerOne(tenantId, event));
        }
        return created;
    }

    private Callback registerOne(String tenantId, String event) {
        Callback pending = callbacks.createPending(tenantId, event);
        URI uri = urlOf(pending.uriToken());
        CallbackRegistrar.Callback answer = registrar.register(tokens.accessToken(tenantId), tenantId, event, uri);
        callbacks.setCallbackId(pending.uriToken(), answer.callbackId());
        confirm(pending.uriToken()); // in case callback.verify already arrived
        return callbacks.findByToken(pending.uriToken()).orElseThrow();
    }

    private URI urlOf(String uriToken) {
        return publicBaseUrl.resolve(HOOK_PATH + uriToken);
    }

    private static final String HOOK_PATH = "/hooks/freshbooks/";

    /** What FreshBooks has against what we hold, per event type ({@code mlc webhooks list}). */
    public List<WebhookAudit.Entry> audit(String tenantId) {
        return pairs(tenantId).stream().map(WebhookAudit::entry).toList();
    }

    private List<WebhookAudit.Pair> pairs(String tenantId) {
        List<CallbackRegistrar.Callback> theirs = registrar.list(tokens.accessToken(tenantId), tenantId);
        return WebhookAudit.compare(EVENTS, callbacks.listByTenant(tenantId), theirs, this::urlOf,
                publicBaseUrl.resolve(HOOK_PATH).toString());
    }

    /**
     * {@code mlc webhooks repair}: registers what FreshBooks lacks (again), adopts a callback whose id was never stored,
     * finishes unverified handshakes (confirms a verifier that came, else asks FreshBooks to resend it) and deletes
     * callbacks at our URLs that we do not hold. Verification completes in the background; returns the audit after.
     */
    public List<WebhookAudit.Entry> repair(String tenantId) {
        for (WebhookAudit.Pair pair : pairs(tenantId)) {
            Callback ours = pair.ours();
            switch (pair.state()) {
                case OK -> { }
                case UNVERIFIED -> {
                    if (ours == null) {
                        break;
                    }
                    if (ours.callbackId() == null) { // registered, but the id never stored (a crash in between)
                        callbacks.setCallbackId(ours.uriToken(), pair.theirs().callbackId());
                    }
                    if (ours.hasVerifier()) {
                        confirm(ours.uriToken());
                    } else {
                        registrar.resendVerification(tokens.accessToken(tenantId), tenantId, pair.theirs().callbackId());
                    }
                }
                case MISSING_AT_FRESHBOOKS, NOT_REGISTERED -> {
                    if (ours != null) {
                        callbacks.delete(ours.uriToken());
                    }
                    registerOne(tenantId, pair.event());
                }
                case UNKNOWN_TO_US -> registrar.delete(tokens.accessToken(tenantId), tenantId, pair.theirs().callbackId());
            }
            if (pair.state() != WebhookAudit.State.OK) {
                log.info("webhook {} for tenant {} was {}; repaired", pair.event(), tenantId, pair.state());
            }
        }
        return audit(tenantId);
    }

    /** The tenant's callbacks as stored here (verified or still waiting for FreshBooks). */
    public List<Callback> list(String tenantId) {
        return callbacks.listByTenant(tenantId);
    }

    @Override
    public void verifierReceived(String uriToken) {
        executor.execute(() -> {
            try {
                confirm(uriToken);
            } catch (RuntimeException e) {
                log.error("confirming the verifier of a {} callback failed; connecting the business again finishes it",
                        callbacks.findByToken(uriToken).map(Callback::event).orElse("?"), e);
            }
        });
    }

    /** PUTs the verifier back once both the callback id and the verifier are known. Idempotent. */
    private synchronized void confirm(String uriToken) {
        callbacks.findWithVerifier(uriToken).ifPresent(found -> {
            Callback callback = found.callback();
            if (callback.verified() || callback.callbackId() == null || found.verifier() == null) {
                return;
            }
            registrar.confirmVerifier(tokens.accessToken(callback.tenantId()), callback.tenantId(),
                    callback.callbackId(), found.verifier());
            callbacks.markVerified(uriToken);
            log.info("webhook {} for tenant {} verified", callback.event(), callback.tenantId());
        });
    }
}
