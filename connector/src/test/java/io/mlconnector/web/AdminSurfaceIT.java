package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.cli.DatasetCommandIT;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two surfaces (issue 10): status, metrics and actions answer only on the admin listener, and only with the admin
 * token (or the status page's session cookie, got by signing in with it) when one is set; the public listener answers
 * 404 for every admin path; a browser's cross-site POST is refused.
 */
class AdminSurfaceIT {
    private static final String TOKEN = "admin-token-for-the-test";
    /** Every admin route, with its method. */
    private static final List<String[]> ADMIN_ROUTES = List.of(
            new String[] {"GET", "/api/status"}, new String[] {"GET", "/metrics"},
            new String[] {"POST", "/api/connect/freshbooks"}, new String[] {"POST", "/api/dataset/compact"},
            new String[] {"POST", "/api/totals/check"}, new String[] {"POST", "/api/batches/b-1/replay"},
            new String[] {"POST", "/api/replay/record"}, new String[] {"POST", "/api/replay/dead-letters"},
            new String[] {"POST", "/api/replay/listing"}, new String[] {"GET", "/api/webhooks"},
            new String[] {"POST", "/api/webhooks/repair"});

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void adminRoutesNeedTheTokenAndArePublicNowhere() throws Exception {
        try (DemoWorld world = DemoWorld.withoutConnector(DemoWorld.Options.defaults(dataDir), Clock.systemUTC())) {
            world.startConnector(Map.of("ML_CONNECTOR_ADMIN_TOKEN", TOKEN));
            URI admin = world.adminUrl();
            URI publicUrl = world.config().server().publicBaseUrl();

            for (String path : List.of("/api/status", "/metrics")) {
                assertThat(send(admin, "GET", path, null)).as("no token: " + path).isEqualTo(401);
                assertThat(send(admin, "GET", path, "Bearer wrong-" + TOKEN)).as("wrong token: " + path).isEqualTo(401);
                assertThat(send(admin, "GET", path, "Basic " + TOKEN)).as("not a bearer: " + path).isEqualTo(401);
                assertThat(send(admin, "GET", path, "Bearer " + TOKEN)).as("right token: " + path).isEqualTo(200);
            }
            assertThat(send(admin, "POST", "/api/connect/freshbooks", null)).isEqualTo(401);
            assertThat(send(admin, "POST", "/api/connect/freshbooks", "Bearer " + TOKEN)).isEqualTo(200);
            assertThat(send(admin, "GET", "/no-such-page", null)).as("even a 404 needs the token").isEqualTo(401);

            for (String[] route : ADMIN_ROUTES) {
                assertThat(send(publicUrl, route[0], route[1], "Bearer " + TOKEN)).as("public " + route[0] + " " + route[1])
                        .isEqualTo(404);
            }
            assertThat(send(publicUrl, "GET", "/health", null)).isEqualTo(200);

            // A browser signs in once through the status page's form; the cookie holds no token, and goes same-site only.
            HttpResponse<String> form = http.send(HttpRequest.newBuilder(admin.resolve("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(form.statusCode()).isEqualTo(401);
            assertThat(form.body()).contains("<form method=\"post\" action=\"/login\">");
            assertThat(send(admin, "GET", "/status/status.css", null)).as("the form's style sheet").isEqualTo(200);
            assertThat(signIn(admin, "wrong-" + TOKEN).statusCode()).isEqualTo(401);
            HttpResponse<String> signedIn = signIn(admin, TOKEN);
            assertThat(signedIn.statusCode()).isEqualTo(303);
            assertThat(signedIn.headers().firstValue("Location")).hasValue("/");
            String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain(TOKEN);
            String session = cookie.substring(0, cookie.indexOf(';'));
            for (String path : List.of("/", "/api/status", "/api/status/page")) {
                assertThat(http.send(HttpRequest.newBuilder(admin.resolve(path)).header("Cookie", session).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).as("signed in: " + path).isEqualTo(200);
            }
            // A form or script on another site cannot act, with or without credentials.
            for (Map.Entry<String, String> crossSite : Map.of("Sec-Fetch-Site", "cross-site",
                    "Origin", "http://evil.example").entrySet()) {
                HttpRequest request = HttpRequest.newBuilder(admin.resolve("/api/totals/check"))
                        .POST(HttpRequest.BodyPublishers.noBody()).header("Cookie", session)
                        .header("Authorization", "Bearer " + TOKEN).header(crossSite.getKey(), crossSite.getValue()).build();
                assertThat(http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode())
                        .as(crossSite.toString()).isEqualTo(403);
            }

            // The CLI reads the admin URL and token from the configuration (or ML_CONNECTOR_ADMIN_TOKEN), never an option.
            Path config = dataDir.resolve("admin.yaml");
            Files.writeString(config, world.configYaml().replace("admin:\n  port: 0\n",
                    "admin:\n  port: " + admin.getPort() + "\n  token: " + TOKEN + "\n"));
            Run status = DatasetCommandIT.run("status", "--config", config.toString());
            assertThat(status.exit()).as(status.toString()).isZero();
            Run link = DatasetCommandIT.run("connect", "freshbooks", "--config", config.toString());
            assertThat(link.exit()).as(link.toString()).isZero();
            assertThat(link.out()).startsWith(publicUrl + "/oauth/freshbooks/start?link=").contains("works once");
            Run noToken = DatasetCommandIT.run("status", "--url", admin.toString());
            assertThat(noToken.exit()).isEqualTo(1);
            assertThat(noToken.err()).contains("refused the admin token").contains("ML_CONNECTOR_ADMIN_TOKEN");
        }
    }

    private HttpResponse<String> signIn(URI admin, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(admin.resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + java.net.URLEncoder.encode(token,
                        java.nio.charset.StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int send(URI base, String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
