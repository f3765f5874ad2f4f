package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mlconnector.sim.freshbooks.SimUser;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Issue 11: a wrong FreshBooks client secret gives the browser a page that says so, and the log one line, no secret. */
class OAuthFailureIT {
    private static final String WRONG_SECRET = "not-the-freshbooks-secret";

    @TempDir
    Path dataDir;

    @Test
    void aWrongClientSecretIsAReadablePageAndOneLogLineNamingTheKey() throws Exception {
        Logger routes = (Logger) LoggerFactory.getLogger("io.mlconnector.app.OAuthRoutes");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        routes.addAppender(logged);
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            world.restartConnector(Map.of("ML_CONNECTOR_FRESHBOOKS_CLIENT_SECRET", WRONG_SECRET));
            SimUser user = world.freshBooks().createUser("books@umbrella.example", "Umbrella", "USD");
            world.freshBooks().approveAs(user.identityId());
            URI link = DemoWorld.mintConnectLink(world.adminUrl());
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.ALWAYS).build();

            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(502);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.body()).contains("refused the token exchange", "freshbooks.client-secret")
                    .doesNotContain(WRONG_SECRET);
            assertThat(world.connector().operations().tenants()).isEmpty();
            assertThat(logged.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("invalid_client", "freshbooks.client-secret").doesNotContain(WRONG_SECRET)
                    .doesNotContain("\n"));
        } finally {
            routes.detachAppender(logged);
        }
    }

    /** The user clicks "Deny" at FreshBooks, which sends the browser back with an OAuth error instead of a code. */
    @Test
    void aRefusedConsentIsAReadablePageAndConnectsNothing() throws Exception {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            URI callback = world.config().server().publicBaseUrl()
                    .resolve("/oauth/freshbooks/callback?error=access_denied&state=whatever");

            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(callback).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.body()).contains("FreshBooks did not grant access", "access_denied").doesNotContain("Exception");
            assertThat(world.connector().operations().tenants()).isEmpty();
        }
    }
}
