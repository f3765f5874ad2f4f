package io.mlconnector.sim.entra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class EntraSimulatorIT {
    private static final RegisteredApp APP = RegisteredApp.DEMO;
    private static final String SCOPE = "https://analysis.windows.net/powerbi/api/.default";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private EntraSimulator entra;
    private HttpClient http;

    @BeforeEach
    void start() {
        entra = new EntraSimulator(clock, new FaultInjector(clock, 1), Duration.ofSeconds(3599));
        entra.registerApp(APP).start(0);
        http = HttpClient.newBuilder().sslContext(entra.sslContextTrustingSelf()).build();
    }

    @AfterEach
    void stop() {
        entra.stop();
    }

    @Test
    void issuesAPowerBiTokenForMsalStyleForm() throws Exception {
        HttpResponse<String> response = post(APP.tenantId(), form(
                "client_id", APP.clientId(), "client_secret", APP.clientSecret(), "grant_type", "client_credentials",
                "client_info", "1", "scope", "offline_access " + SCOPE + " openid profile"), null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(3599);
        assertThat(body.get("ext_expires_in").asLong()).isEqualTo(3599);
        assertThat(body.get("scope").asString()).contains(SCOPE);
        ValidatedToken token = entra.tokenValidator().validate(body.get("access_token").asString());
        assertThat(token.appId()).isEqualTo(APP.clientId());
        assertThat(token.tenantId()).isEqualTo(APP.tenantId());
        assertThat(token.objectId()).isEqualTo(APP.objectId());
        assertThat(token.expiresAt()).isEqualTo(clock.instant().plusSeconds(3599));
    }

    @Test
    void acceptsHttpBasicClientAuthentication() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (enc(APP.clientId()) + ":" + enc(APP.clientSecret())).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = post(APP.tenantId(),
                form("grant_type", "client_credentials", "scope", SCOPE), basic);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body()).get("access_token").asString()).isNotBlank();
    }

    @Test
    void basicWithWrongSecretIsInvalidClient() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (APP.clientId() + ":nope").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = post(APP.tenantId(),
                form("grant_type", "client_credentials", "scope", SCOPE), basic);

        assertError(response, 401, "invalid_client", 7000215);
    }

    @Test
    void wrongSecretIs401InvalidClient7000215() throws Exception {
        assertError(post(APP.tenantId(), form("client_id", APP.clientId(), "client_secret", "wrong",
                "grant_type", "client_credentials", "scope", SCOPE), null), 401, "invalid_client", 7000215);
    }

    @Test
    void missingSecretIs401InvalidClient7000218() throws Exception {
        assertError(post(APP.tenantId(), form("client_id", APP.clientId(),
                "grant_type", "client_credentials", "scope", SCOPE), null), 401, "invalid_client", 7000218);
    }

    @Test
    void unknownClientIs400UnauthorizedClient700016() throws Exception {
        assertError(post(APP.tenantId(), form("client_id", "33333333-3333-3333-3333-333333333333",
                "client_secret", "x", "grant_type", "client_credentials", "scope", SCOPE), null),
                400, "unauthorized_client", 700016);
    }

    @Test
    void badScopeIs400InvalidScope70011() throws Exception {
        assertError(post(APP.tenantId(), form("client_id", APP.clientId(), "client_secret", APP.clientSecret(),
                "grant_type", "client_credentials", "scope", "https://graph.microsoft.com/.default"), null),
                400, "invalid_scope", 70011);
        assertError(post(APP.tenantId(), form("client_id", APP.clientId(), "client_secret", APP.clientSecret(),
                "grant_type", "client_credentials", "scope", SCOPE + " https://graph.microsoft.com/.default"), null),
                400, "invalid_scope", 70011);
    }

    @Test
    void unsupportedGrantIs400() throws Exception {
        assertError(post(APP.tenantId(), form("client_id", APP.clientId(), "client_secret", APP.clientSecret(),
                "grant_type", "password", "scope", SCOPE), null), 400, "unsupported_grant_type", 70003);
    }

    @Test
    void unknownTenantIs400() throws Exception {
        assertError(post("99999999-9999-9999-9999-999999999999", form("client_id", APP.clientId(),
                "client_secret", APP.clientSecret(), "grant_type", "client_credentials", "scope", SCOPE), null),
                400, "invalid_request", 90002);
    }

    @Test
    void answersInstanceDiscoveryAsMsalExpects() throws Exception {
        String authorize = "https://localhost:" + entra.port() + "/" + APP.tenantId() + "/oauth2/v2.0/authorize";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(entra.baseUrl()
                + "/common/discovery/instance?api-version=1.1&authorization_endpoint=" + enc(authorize))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("tenant_discovery_endpoint").asString()).isEqualTo(entra.baseUrl() + "/"
                + APP.tenantId() + "/v2.0/.well-known/openid-configuration");
        assertThat(body.get("metadata").get(0).get("aliases").get(0).asString()).isEqualTo("localhost");
    }

    @Test
    void tokenExpiresWhenTheClockPassesExp() throws Exception {
        HttpResponse<String> response = post(APP.tenantId(), form("client_id", APP.clientId(),
                "client_secret", APP.clientSecret(), "grant_type", "client_credentials", "scope", SCOPE), null);
        String token = Json.MAPPER.readTree(response.body()).get("access_token").asString();

        clock.advance(Duration.ofSeconds(3598));
        assertThat(entra.tokenValidator().validate(token).appId()).isEqualTo(APP.clientId());
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> entra.tokenValidator().validate(token))
                .isInstanceOfSatisfying(InvalidTokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.EXPIRED));
    }

    @Test
    void tokensFromAnotherIssuerDoNotValidate() {
        String foreign = new AccessTokenIssuer(clock).issue(APP, Duration.ofHours(1)).accessToken();
        assertThatThrownBy(() -> entra.tokenValidator().validate(foreign))
                .isInstanceOfSatisfying(InvalidTokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.BAD_SIGNATURE));
        assertThatThrownBy(() -> entra.tokenValidator().validate("garbage"))
                .isInstanceOfSatisfying(InvalidTokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.MALFORMED));
    }

    @Test
    void faultsCanBeGivenOverHttpsAndTheControlApiIsNeverFaulted() throws Exception {
        String control = entra.baseUrl() + "/sim/faults";
        HttpResponse<String> added = send(HttpRequest.newBuilder(URI.create(control))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"THROTTLE\",\"retryAfterSeconds\":4}")));
        assertThat(added.statusCode()).isEqualTo(201);

        HttpResponse<String> throttled = post(APP.tenantId(), form("client_id", APP.clientId(),
                "client_secret", APP.clientSecret(), "grant_type", "client_credentials", "scope", SCOPE), null);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("4");
        assertThat(Json.MAPPER.readTree(throttled.body()).get("error").asString()).isEqualTo("temporarily_unavailable");

        HttpResponse<String> listed = send(HttpRequest.newBuilder(URI.create(control)).GET());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(listed.body()).get("rules").get(0).get("kind").asString()).isEqualTo("THROTTLE");
        HttpResponse<String> cleared = send(HttpRequest.newBuilder(URI.create(control)).DELETE());
        assertThat(Json.MAPPER.readTree(cleared.body()).get("cleared").asInt()).isEqualTo(1);
        assertThat(post(APP.tenantId(), form("client_id", APP.clientId(), "client_secret", APP.clientSecret(),
                "grant_type", "client_credentials", "scope", SCOPE), null).statusCode()).isEqualTo(200);
        assertThat(entra.faults().injected()).hasSize(1);
    }

    @Test
    void pemCertificateNamesLocalhost() throws Exception {
        assertThat(entra.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(entra.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(entra.certificate().getSubjectAlternativeNames())
                .extracting(san -> (Object) san.get(1)).contains("localhost", "127.0.0.1");
    }

    private void assertError(HttpResponse<String> response, int status, String error, int code) {
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("error").asString()).isEqualTo(error);
        assertThat(body.get("error_description").asString()).startsWith("AADSTS" + code + ": ");
        assertThat(body.get("error_codes").get(0).asInt()).isEqualTo(code);
        assertThat(body.get("timestamp").asString()).isEqualTo("2026-03-01 10:00:00Z");
        assertThat(body.get("trace_id").asString()).hasSize(36);
        assertThat(body.get("correlation_id").asString()).hasSize(36);
    }

    private HttpResponse<String> post(String tenant, String form, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(entra.tokenEndpoint(tenant)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String... pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
