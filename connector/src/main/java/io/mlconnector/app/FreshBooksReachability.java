package io.mlconnector.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, one look at FreshBooks' API host: any HTTP answer means it is there; no answer gets one WARN line that
 * names the URL and {@code freshbooks.api-base-url}, instead of the silence that lasted until the first fetch failed.
 * It only warns: FreshBooks may come back, and webhooks are stored meanwhile.
 */
final class FreshBooksReachability {
    private static final Logger LOG = LoggerFactory.getLogger(FreshBooksReachability.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private FreshBooksReachability() {}

    /** Checks in the background, so a slow network does not hold the start. */
    static void warnInBackgroundIfUnreachable(URI apiBaseUrl) {
        Thread check = new Thread(() -> problem(apiBaseUrl).ifPresent(LOG::warn), "freshbooks-reachability");
        check.setDaemon(true);
        check.start();
    }

    /** The warning, or empty when FreshBooks answers (with any status). */
    static Optional<String> problem(URI apiBaseUrl) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try {
            http.send(HttpRequest.newBuilder(apiBaseUrl).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            return Optional.empty();
        } catch (IOException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            return Optional.of("FreshBooks does not answer at " + apiBaseUrl + " (" + why + "): check freshbooks.api-base-url"
                    + " and the network; webhooks are still stored, fetches retry until it answers");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
