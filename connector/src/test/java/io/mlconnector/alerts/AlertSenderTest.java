package io.mlconnector.alerts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.mlconnector.alerts.AlertRules.Kind;
import io.mlconnector.alerts.AlertRules.Notification;
import io.mlconnector.alerts.AlertRules.State;
import io.mlconnector.pipeline.PipelineJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The alert webhook's delivery against a real HTTP receiver: retries, giving up, and the cap on waiting POSTs. */
class AlertSenderTest {
    private static final Instant AT = Instant.parse("2026-12-02T09:00:00Z");

    private WireMockServer receiver;
    private AlertSender sender;

    @BeforeEach
    void start() {
        receiver = new WireMockServer(options().dynamicPort());
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        receiver.stop();
    }

    private AlertSender sender(int maxAttempts) {
        sender = new AlertSender(URI.create(receiver.baseUrl() + "/hook"), "i1", HttpClient.newHttpClient(),
                PipelineJson.mapper(), Duration.ofMillis(10), Duration.ofMillis(40), maxAttempts);
        return sender;
    }

    private static Notification paused(int n) {
        return new Notification(State.FIRING, Kind.ROUTE_PAUSED, "route default " + n, "the route is paused", "fix it",
                AT, AT);
    }

    @Test
    void aReceiverThatKeepsFailingGetsMaxAttemptsPostsAndThenNoMore() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(503)));
        AlertSender alerts = sender(3);
        alerts.send(paused(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> alerts.waiting() == 0); // given up
        receiver.verify(3, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void aRefusalIsNotRetried() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(400)));
        AlertSender alerts = sender(5);
        alerts.send(paused(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> alerts.waiting() == 0);
        receiver.verify(1, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void aFailingThenHealthyReceiverGetsTheNotificationOnce() {
        receiver.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(429)).willSetStateTo("up"));
        receiver.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        AlertSender alerts = sender(5);
        alerts.send(paused(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> alerts.waiting() == 0);
        receiver.verify(2, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void pastTheCapNewNotificationsAreDroppedNotQueued() {
        // The receiver holds every answer, so the first POST occupies the sender's one thread and the rest wait.
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204).withFixedDelay(5_000)));
        AlertSender alerts = sender(1);
        for (int i = 0; i < AlertSender.MAX_WAITING + 25; i++) {
            alerts.send(paused(i));
        }
        assertThat(alerts.waiting()).isEqualTo(AlertSender.MAX_WAITING);
    }
}
