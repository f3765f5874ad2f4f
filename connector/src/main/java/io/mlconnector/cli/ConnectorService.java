package io.mlconnector.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The running connector's admin API, as {@code mlc status}, {@code mlc replay} and {@code mlc connect} call it. */
final class ConnectorService {
    /** Status code and body of one answer. */
    record Answer(int status, String body) {
        /** The body of a 200 answer to {@code request} (e.g. "GET /api/status") as JSON; else one line saying why not. */
        tools.jackson.databind.JsonNode okJson(String request) {
            if (status != 200) {
                throw new CommandFailure(request + " answered HTTP " + status);
            }
            try {
                return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body);
            } catch (tools.jackson.core.JacksonException e) {
                throw new CommandFailure(request + " did not answer JSON: " + e.getOriginalMessage());
            }
        }
    }

    private final URI baseUrl;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param token the admin token sent as a bearer token, or {@code null} */
    ConnectorService(URI baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    Answer post(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private URI resolve(String path) {
        return URI.create(baseUrl.toString().replaceAll("/+$", "") + path);
    }

    private Answer send(HttpRequest.Builder request) {
        request.timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpRequest built = request.build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401) {
                throw new CommandFailure("the connector at " + baseUrl + " refused the admin token"
                        + (token == null ? " (none was sent)" : "") + "; set admin.token (--config) or " + ServiceOptions.TOKEN_VARIABLE);
            }
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new CommandFailure("no connector answers at " + baseUrl + " (" + describe(e)
                    + "); is `mlc serve` running there? Use --url or --config to point at its admin listener (admin.port)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while calling " + built.uri());
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
