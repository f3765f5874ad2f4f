package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.store.CallbackRepository;
import io.mlconnector.store.Database;
import io.mlconnector.store.OAuthGrant;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.SecretBox;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Nothing secret in any log line (issue 10 item 2): a business connected through the browser, webhooks verified
 * and delivered, a FreshBooks token refreshed, and bad webhooks of every kind, with every log line captured. No
 * line may carry an access or refresh token, a client secret, a verifier, a callback token, keyset material or
 * a webhook body.
 */
class SecretsInLogsIT {

    /** FreshBooks tokens live 310 s and are refreshed 5 minutes before expiry: 10 s after issue. */
    private static final int FRESHBOOKS_TOKEN_SECONDS = 310;

    @TempDir
    Path dataDir;

    @Test
    void aWholeFlowWithBadInputLogsNoSecret() throws Exception {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        lines.start();
        root.addAppender(lines);
        Set<String> secrets = ConcurrentHashMap.newKeySet();
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 21, 0, Duration.ofSeconds(12), FRESHBOOKS_TOKEN_SECONDS,
                Duration.ofMillis(300));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            world.connectThroughBrowser();
            world.awaitWebhooksVerified(Duration.ofSeconds(60));
            world.freshBooks().generator().step(40); // changes, delivered as signed webhooks

            try (Database store = Database.open(world.config().store())) {
                SecretBox box = SecretBox.open(world.config().secrets().keysetPath());
                OAuthGrantRepository grants = new OAuthGrantRepository(store, box, Clock.systemUTC());
                CallbackRepository callbacks = new CallbackRepository(store, box, Clock.systemUTC(), new SecureRandom());
                List<String> grantIds = store.jdbi().withHandle(h -> h.createQuery("SELECT grant_id FROM oauth_grant")
                        .mapTo(String.class).list());
                List<String> tokens = store.jdbi().withHandle(h -> h.createQuery("SELECT uri_token FROM callback")
                        .mapTo(String.class).list());
                assertThat(grantIds).isNotEmpty();
                assertThat(tokens).isNotEmpty();
                List<String> firstAccessTokens = collectGrants(grants, grantIds, secrets);
                for (String token : tokens) {
                    secrets.add(token);
                    callbacks.findWithVerifier(token).map(CallbackRepository.CallbackWithVerifier::verifier).ifPresent(secrets::add);
                }

                sendBadWebhooks(world.config().server().publicBaseUrl(), tokens.get(0), secrets);

                // A refresh rotates both tokens; it happens when a fetch needs a token 10 s after issue, so keep changing.
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    world.freshBooks().generator().step(3);
                    return !collectGrants(grants, grantIds, secrets).equals(firstAccessTokens);
                });
                await().atMost(Duration.ofSeconds(60)).until(() -> world.freshBooks().deliveryLog().size() >= 10);
            }
            secrets.add(world.config().freshbooks().clientSecret());
            secrets.add(world.config().powerbi().clientSecret());
            secrets.addAll(keyMaterial(Files.readString(world.config().secrets().keysetPath())));
            for (DeliveryAttempt delivery : world.freshBooks().deliveryLog()) {
                if (delivery.signature() != null) {
                    secrets.add(delivery.signature());
                }
                secrets.add(delivery.uri().substring(delivery.uri().lastIndexOf('/') + 1));
            }
        } finally {
            root.detachAppender(lines);
            lines.stop();
        }

        List<String> logged = new ArrayList<>();
        for (ILoggingEvent event : lines.list) {
            logged.add(event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())));
        }
        assertThat(logged).as("the flow logged something").isNotEmpty();
        assertThat(logged).as("some bad webhooks were logged (once per reason)").anyMatch(line -> line.contains("Webhook rejected"));
        secrets.removeIf(secret -> secret == null || secret.length() < 8);
        for (String line : logged) {
            for (String secret : secrets) {
                assertThat(line).as("a log line carries a secret").doesNotContain(secret);
            }
            assertThat(line).as("a log line carries a webhook body").doesNotContain("object_id=").doesNotContain("object_id\"");
            assertThat(line).as("a log line carries a JWT (an Entra access token)").doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}\\.");
        }
    }

    /** Records every grant's current tokens as secrets; returns the access tokens. */
    private static List<String> collectGrants(OAuthGrantRepository grants, List<String> grantIds, Set<String> secrets) {
        List<String> access = new ArrayList<>();
        for (String grantId : grantIds) {
            OAuthGrant grant = grants.find(grantId).orElseThrow();
            secrets.add(grant.accessToken());
            secrets.add(grant.refreshToken());
            access.add(grant.accessToken());
        }
        return access;
    }

    /** Unsigned, forged, unknown-token, wrong-method, undecodable and cut-off requests; their tokens and bodies are secrets too. */
    private static void sendBadWebhooks(URI publicBaseUrl, String token, Set<String> secrets) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = publicBaseUrl.toString().replaceAll("/$", "") + "/hooks/freshbooks/";
        String unknown = "guessedTokenXyz0123456789abcdefABCDEF";
        String body = "name=invoice.create&object_id=987654321&account_id=secretBodyMarker42&business_id=1";
        secrets.add(unknown);
        secrets.add("secretBodyMarker42");
        for (String target : List.of(token, unknown, token + "/more")) {
            for (String signature : new String[] {null, "forgedSignatureValue0123456789="}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
                if (signature != null) {
                    request.header("X-FreshBooks-Hmac-SHA256", signature);
                    secrets.add(signature);
                }
                HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isBetween(400, 499);
            }
            http.send(HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        // A body cut off half-way and a malformed request line, straight to Jetty.
        for (String raw : List.of(
                "POST /hooks/freshbooks/" + token + " HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nname=invoice.create&object_id=1",
                "POST /hooks/freshbooks/" + token + " HTTP/1.1\r\nHost: x\r\nContent-Length: nonsense\r\n\r\n",
                "POST /hooks/freshbooks/" + token + "%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                "GET /hooks/freshbooks/" + token + "\u0001 HTTP/1.1\r\nHost: x\r\n\r\n")) {
            try (Socket socket = new Socket(publicBaseUrl.getHost(), publicBaseUrl.getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.shutdownOutput();
                socket.getInputStream().readAllBytes();
            }
        }
    }

    /** The key material in a Tink JSON keyset: each key's base64 "value". */
    private static List<String> keyMaterial(String keysetJson) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"([^\"]+)\"").matcher(keysetJson);
        while (m.find()) {
            values.add(m.group(1));
        }
        assertThat(values).isNotEmpty();
        return values;
    }
}
