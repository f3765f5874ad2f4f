package io.mlconnector.sim.powerbi;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.sim.entra.EntraSimulator;
import io.mlconnector.sim.entra.RegisteredApp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * Entra and Power BI simulators on mutable clocks (one shared clock unless separate ones are asked for), a workspace
 * with the demo app as Member, and an HTTP client.
 */
final class SimulatorPair implements AutoCloseable {
    static final String WORKSPACE = "33333333-3333-3333-3333-333333333333";
    static final RegisteredApp APP = RegisteredApp.DEMO;

    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    /** The Power BI simulator's clock (and Entra's, unless separate clocks were asked for). */
    final MutableClock clock;
    final MutableClock entraClock;
    final FaultInjector faults;
    final EntraSimulator entra;
    final PowerBiSimulator powerBi;
    final HttpClient http;

    SimulatorPair(PushLimits limits, PowerBiSettings settings) {
        this(limits, settings, false);
    }

    SimulatorPair(PushLimits limits, PowerBiSettings settings, boolean separateClocks) {
        clock = new MutableClock(START);
        entraClock = separateClocks ? new MutableClock(START) : clock;
        faults = new FaultInjector(clock, 7);
        entra = new EntraSimulator(entraClock, new FaultInjector(entraClock, 1), Duration.ofSeconds(3599));
        entra.registerApp(APP).start(0);
        powerBi = new PowerBiSimulator(clock, entra.tokenValidator(), faults, limits, settings).start(0);
        powerBi.addWorkspace(WORKSPACE, "Demo").addMember(WORKSPACE, APP.clientId(), WorkspaceRole.MEMBER);
        http = HttpClient.newBuilder().sslContext(entra.sslContextTrustingSelf()).build();
    }

    SimulatorPair() {
        this(PushLimits.DOCUMENTED, PowerBiSettings.STRICT);
    }

    String token(RegisteredApp app) {
        String form = "grant_type=client_credentials&client_id=" + enc(app.clientId()) + "&client_secret="
                + enc(app.clientSecret()) + "&scope=" + enc("https://analysis.windows.net/powerbi/api/.default");
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(entra.tokenEndpoint(app.tenantId())))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("token request failed: " + response.body());
        }
        return Json.MAPPER.readTree(response.body()).get("access_token").asString();
    }

    String token() {
        return token(APP);
    }

    String group(String path) {
        return powerBi.apiBaseUrl() + "/groups/" + WORKSPACE + path;
    }

    HttpResponse<String> call(String method, String url, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /** Creates a dataset and returns its id. */
    String createDataset(String token, String retention, String body) {
        HttpResponse<String> response = call("POST", group("/datasets?defaultRetentionPolicy=" + retention), token, body);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("create failed: " + response.statusCode() + " " + response.body());
        }
        return json(response).get("id").asString();
    }

    HttpResponse<String> postRows(String token, String datasetId, String table, String body) {
        return call("POST", group("/datasets/" + datasetId + "/tables/" + enc(table).replace("+", "%20") + "/rows"),
                token, body);
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        powerBi.stop();
        entra.stop();
    }
}
