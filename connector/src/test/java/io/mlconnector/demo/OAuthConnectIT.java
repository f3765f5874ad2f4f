package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.freshbooks.SimUser;
import io.mlconnector.store.Callback;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting a business from a browser: start → FreshBooks' authorize page → our callback. */
class OAuthConnectIT {
    @TempDir
    Path dataDir;

    @Test
    void theBrowserFlowConnectsTheBusinessRegistersItsWebhooksAndBackfillsIt() throws Exception {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            SimUser user = world.freshBooks().createUser("books@umbrella.example", "Umbrella", "USD");
            world.freshBooks().generator().step(60);
            world.freshBooks().approveAs(user.identityId());
            String base = world.config().server().publicBaseUrl().toString();
            HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS).build();

            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(base + "/oauth/freshbooks/start"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Connected: Umbrella");
            String tenant = world.connector().operations().tenants().get(0).tenantId();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(world.connector().operations().webhooks(tenant)).isNotEmpty().allMatch(Callback::verified);
                assertThat(world.connector().operations().status().rowsPushed()).isPositive();
            });
        }
    }

    @Test
    void aCallbackThatWeDidNotStartConnectsNothing() throws Exception {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            String base = world.config().server().publicBaseUrl().toString();
            HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    base + "/oauth/freshbooks/callback?code=stolen&state=made-up")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(forged.statusCode()).isEqualTo(400);
            assertThat(world.connector().operations().tenants()).isEmpty();
        }
    }
}
