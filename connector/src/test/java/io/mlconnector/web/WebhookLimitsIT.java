package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded work per request (issue 10 item 3) and what every answer carries (item 8): slow bodies cannot starve
 * {@code /health} or honest deliveries, and no answer quotes a callback token.
 */
class WebhookLimitsIT {

    /** More dribbling connections than {@link WebhookIntake#MAX_CONCURRENT_BODIES}. */
    static final int SLOW_SENDERS = WebhookIntake.MAX_CONCURRENT_BODIES + 16;

    @TempDir
    Path dir;
    WebhookTestServer server;
    String token;

    @BeforeEach
    void start() {
        server = new WebhookTestServer(dir);
        token = server.verifiedCallback("6BApk", 2001, WebhookIntakeIT.VERIFIER);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void slowBodiesLeaveHealthFastAndHonestDeliveriesThrough() throws Exception {
        List<SlowSender> senders = new ArrayList<>();
        for (int i = 0; i < SLOW_SENDERS; i++) {
            senders.add(new SlowSender(server.hookUri(token)));
        }
        ScheduledExecutorService dribble = Executors.newSingleThreadScheduledExecutor();
        try {
            senders.forEach(SlowSender::sendOneByte); // every connection is open and in its body before we measure
            dribble.scheduleAtFixedRate(() -> senders.forEach(SlowSender::sendOneByte), 500, 500, TimeUnit.MILLISECONDS);

            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(200))
                    .until(() -> healthMillis() < 100);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> server.post(token, WebhookIntakeIT.BODY, WebhookIntakeIT.SIGNATURE).statusCode() == 204);

            assertThat(server.meters.counter("webhook_busy").count()).as("bodies over the cap answered 503 at once").isPositive();
            await().atMost(Duration.ofSeconds(10)).until(() -> senders.stream().anyMatch(s -> s.reconnects > 0));
            assertThat(server.inboxCount()).isEqualTo(1);
        } finally {
            dribble.shutdownNow();
            dribble.awaitTermination(5, TimeUnit.SECONDS);
            senders.forEach(SlowSender::close);
        }
    }

    @Test
    void aSteadyTrickleFasterThanTheMinimumRateIsCutOffAtTheDeadline() throws Exception {
        long started = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /hooks/freshbooks/" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            try {
                // 1,000 bytes a second: above the minimum data rate, so only the deadline ends it.
                trickle.scheduleAtFixedRate(() -> {
                    try {
                        out.write(new byte[100]);
                        out.flush();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e); // cut off: stops the schedule
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);
                await().atMost(WebhookRoutes.REQUEST_DEADLINE.plusSeconds(20))
                        .until(() -> socket.getInputStream().read(new byte[512]) != 0); // an answer or the end of the stream
            } finally {
                trickle.shutdownNow();
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(WebhookRoutes.REQUEST_DEADLINE.minusSeconds(1),
                WebhookRoutes.REQUEST_DEADLINE.plusSeconds(20));
        assertThat(server.inboxCount()).isZero();
    }

    @Test
    void everyAnswerCarriesSecurityHeadersAndNoneQuotesTheToken() throws Exception {
        String unknown = "unknownTokenThatIsSecret1234567890";
        List<HttpResponse<String>> answers = List.of(
                get("/health"),
                get("/no/such/page/" + unknown),
                get("/hooks/freshbooks/" + unknown),
                get("/hooks/freshbooks/" + token),
                server.post(unknown, WebhookIntakeIT.BODY, WebhookIntakeIT.SIGNATURE),
                server.post(token, WebhookIntakeIT.BODY, "bad"));

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(answer.headers().firstValue("Content-Security-Policy")).hasValue(SecurityHeaders.CONTENT_SECURITY_POLICY);
            assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(answer.body()).doesNotContain(unknown).doesNotContain(token);
        }
        assertThat(answers.get(1).statusCode()).isEqualTo(404);
        assertThat(answers.get(3).statusCode()).isEqualTo(405);
        assertThat(answers.get(4).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return server.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.app.port() + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private long healthMillis() throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> health = get("/health");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return health.statusCode() == 200 ? millis : Long.MAX_VALUE;
    }

    /** One connection that announces a 2,000-byte body and sends it a byte at a time; reconnects when cut off. */
    private static final class SlowSender {
        private final URI uri;
        private Socket socket;
        private OutputStream out;
        volatile int reconnects = -1;

        SlowSender(URI uri) {
            this.uri = uri;
        }

        synchronized void sendOneByte() {
            try {
                if (socket == null) {
                    socket = new Socket(uri.getHost(), uri.getPort());
                    out = socket.getOutputStream();
                    out.write(("POST " + uri.getPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    reconnects++;
                }
                out.write('n');
                out.flush();
            } catch (IOException e) {
                close(); // cut off by the server: come back on the next tick
            }
        }

        synchronized void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
