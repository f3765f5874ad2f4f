package io.mlconnector.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The running connector's HTTP API, as {@code mlc status} and {@code mlc replay} call it. */
final class ConnectorService {
    /** Status code and body of one answer. */
    record Answer(int status, String body) {}

    private final URI baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ConnectorService(URI baseUrl) {
        this.baseUrl = baseUrl;
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
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).header("Accept", "application/json").build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new CommandFailure("no connector answers at " + baseUrl + " (" + describe(e)
                    + "); is `mlc serve` running there? Use --url or --config to point elsewhere");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while calling " + built.uri());
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
