package io.mlconnector.freshbooks;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Manages a tenant's FreshBooks webhook callbacks (reference §3.1, §3.3): register, confirm the verifier
 * FreshBooks sent to our endpoint, list and delete. Receiving deliveries is the web package's job.
 */
public final class CallbackRegistrar {
    private final FreshBooksApiClient api;
    private final JsonMapper json;

    public CallbackRegistrar(FreshBooksApiClient api, JsonMapper json) {
        this.api = api;
        this.json = json;
    }

    /** A callback as FreshBooks reports it. */
    public record Callback(long callbackId, String event, URI uri, boolean verified) {}

    /** Registers {@code event} to be delivered to {@code uri}; FreshBooks then POSTs callback.verify there. */
    public Callback register(String accessToken, String accountId, String event, URI uri) {
        ObjectNode callback = json.createObjectNode();
        callback.putObject("callback").put("event", event).put("uri", uri.toString());
        JsonNode body = api.send(accessToken, "POST", path(accountId), callback).orElseThrow(
                () -> new FreshBooksException(404, "FreshBooks has no events service for account " + accountId, false));
        return toCallback(body.path("response").path("result").path("callback"));
    }

    /** Sends back the verifier that arrived at our endpoint; deliveries start only after this. */
    public Callback confirmVerifier(String accessToken, String accountId, long callbackId, String verifier) {
        ObjectNode update = json.createObjectNode();
        update.putObject("callback").put("verifier", verifier);
        return put(accessToken, accountId, callbackId, update);
    }

    /** Asks FreshBooks to send callback.verify again (e.g. our endpoint was down the first time). */
    public Callback resendVerification(String accessToken, String accountId, long callbackId) {
        ObjectNode update = json.createObjectNode();
        update.putObject("callback").put("resend", true);
        return put(accessToken, accountId, callbackId, update);
    }

    public List<Callback> list(String accessToken, String accountId) {
        List<Callback> all = new ArrayList<>();
        int page = 1;
        while (true) {
            JsonNode result = api.send(accessToken, "GET", path(accountId) + "?page=" + page + "&per_page=100", null)
                    .map(b -> b.path("response").path("result")).orElseThrow(
                            () -> new FreshBooksException(404, "FreshBooks has no events service for account " + accountId, false));
            result.path("callbacks").forEach(c -> all.add(toCallback(c)));
            if (page >= result.path("pages").asInt(1)) {
                return all;
            }
            page++;
        }
    }

    public void delete(String accessToken, String accountId, long callbackId) {
        api.send(accessToken, "DELETE", path(accountId) + "/" + callbackId, null);
    }

    private Callback put(String accessToken, String accountId, long callbackId, JsonNode body) {
        JsonNode answer = api.send(accessToken, "PUT", path(accountId) + "/" + callbackId, body).orElseThrow(
                () -> new FreshBooksException(404, "FreshBooks callback " + callbackId + " not found", false));
        return toCallback(answer.path("response").path("result").path("callback"));
    }

    private static Callback toCallback(JsonNode node) {
        return new Callback(node.path("callbackid").asLong(), node.path("event").asString(),
                URI.create(node.path("uri").asString()), node.path("verified").asBoolean(false));
    }

    private static String path(String accountId) {
        return "/events/account/" + accountId + "/events/callbacks";
    }
}
