package io.mlconnector.sim.freshbooks;

import io.mlconnector.sim.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** A tiny HTTP client for the ITs: no redirects followed, bodies as strings. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    record Res(int status, String body, HttpHeaders headers) {
        JsonNode json() {
            return Json.MAPPER.readTree(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private Http() {}

    static Res get(String url, String token) {
        return send("GET", url, token, null, null);
    }

    static Res json(String method, String url, String token, String body) {
        return send(method, url, token, "application/json", body);
    }

    static Res form(String url, Map<String, String> form) {
        return send("POST", url, null, "application/x-www-form-urlencoded", WebhookSignature.encodeForm(form));
    }

    static Res multipart(String url, Map<String, String> fields) {
        String boundary = "----simtest" + System.nanoTime();
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n")
                .append(v).append("\r\n"));
        b.append("--").append(boundary).append("--\r\n");
        return send("POST", url, null, "multipart/form-data; boundary=" + boundary, b.toString());
    }

    static Res send(String method, String url, String token, String contentType, String body) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            req.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
