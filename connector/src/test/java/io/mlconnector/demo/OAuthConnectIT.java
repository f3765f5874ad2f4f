package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.freshbooks.SimUser;
import io.mlconnector.store.Callback;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connecting a business from a browser: a one-time link minted on the admin surface → start (sets the browser
 * cookie) → FreshBooks' authorize page → our callback, which needs that cookie.
 */
class OAuthConnectIT {
    @TempDir
    Path dataDir;

    @Test
    void theBrowserFlowConnectsTheBusinessRegistersItsWebhooksAndBackfillsIt() throws Exception {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            SimUser user = world.freshBooks().createUser("books@umbrella.example", "Umbrella", "USD");
            world.freshBooks().generator().step(60);
            world.freshBooks().approveAs(user.identityId());
            URI link = DemoWorld.mintConnectLink(world.adminUrl());
            assertThat(link.toString()).startsWith(world.config().server().publicBaseUrl() + "/oauth/freshbooks/start?link=");
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.ALWAYS).build();

            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());

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
    void startWithoutAValidLinkIsRefusedAndALinkWorksOnce() throws Exception {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            String base = world.config().server().publicBaseUrl().toString();
            HttpClient noRedirects = HttpClient.newHttpClient();
            for (String target : new String[] {"/oauth/freshbooks/start", "/oauth/freshbooks/start?link=made-up"}) {
                HttpResponse<String> refused = noRedirects.send(HttpRequest.newBuilder(URI.create(base + target)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(target).isEqualTo(403);
                assertThat(refused.body()).as(target).contains("mlc connect freshbooks");
            }

            URI link = DemoWorld.mintConnectLink(world.adminUrl());
            HttpResponse<String> first = noRedirects.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(302);
            assertThat(first.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                    .startsWith(world.config().freshbooks().authBaseUrl().toString()).contains("state="));
            assertThat(first.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                    .contains("mlc_oauth_browser=").contains("HttpOnly").containsIgnoringCase("SameSite=Lax")
                    .doesNotContain("Secure")); // the demo's public URL is http
            HttpResponse<String> again = noRedirects.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).as("a link works once").isEqualTo(403);
        }
    }

    @Test
    void aCallbackWithoutTheBrowserCookieConnectsNothing() throws Exception {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            SimUser user = world.freshBooks().createUser("books@umbrella.example", "Umbrella", "USD");
            world.freshBooks().approveAs(user.identityId());
            // Follows the whole flow but keeps no cookies: as a victim's browser would, sent a link someone else opened.
            HttpClient cookieless = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS).build();
            HttpResponse<String> page = cookieless.send(HttpRequest.newBuilder(DemoWorld.mintConnectLink(world.adminUrl()))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(page.uri().getPath()).isEqualTo("/oauth/freshbooks/callback");
            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(page.body()).contains("start again");
            assertThat(world.connector().operations().tenants()).isEmpty();
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
