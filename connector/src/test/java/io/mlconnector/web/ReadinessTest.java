package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /ready}: each check's answer, 503 naming the failing ones; a check that throws fails. */
class ReadinessTest {
    private final AtomicReference<Optional<String>> route = new AtomicReference<>(Optional.empty());
    private final Readiness readiness = new Readiness(List.of(
            new Readiness.Check("store", Optional::empty),
            new Readiness.Check("workers", Optional::empty),
            new Readiness.Check("keyset", () -> {
                throw new IllegalStateException("keyset\nunreadable");
            }),
            new Readiness.Check("powerbi_route", route::get)));

    @Test
    void reportsEachCheckAndFailsWhenOneFails() {
        Readiness.Report report = readiness.check();
        assertThat(report.ready()).isFalse();
        assertThat(report.failing()).containsExactly("keyset");
        assertThat(report.checks()).containsExactly(java.util.Map.entry("store", "ok"), java.util.Map.entry("workers", "ok"),
                java.util.Map.entry("keyset", "keyset unreadable"), java.util.Map.entry("powerbi_route", "ok"));
        assertThat(new Readiness(List.of(new Readiness.Check("store", Optional::empty))).check().ready()).isTrue();
    }

    @Test
    void servesTwoHundredWhenReadyAndFiveHundredThreeNamingTheFailingCheck() throws Exception {
        AtomicReference<Boolean> keysetOk = new AtomicReference<>(true);
        Readiness served = new Readiness(List.of(new Readiness.Check("store", Optional::empty),
                new Readiness.Check("keyset", () -> keysetOk.get() ? Optional.empty() : Optional.of("does not decrypt")),
                new Readiness.Check("powerbi_route", route::get)));
        JsonMapper json = JsonMapper.builder().build();
        ConnectorApp app = new ConnectorApp("127.0.0.1", 0, List.of(new ReadyRoutes(served)), json).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + app.port() + "/ready");
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(up.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(up.body());
            assertThat(body.path("status").asString()).isEqualTo("ready");
            assertThat(body.path("checks").path("store").asString()).isEqualTo("ok");
            assertThat(body.path("checks").path("powerbi_route").asString()).isEqualTo("ok");
            assertThat(body.has("failing")).isFalse();

            route.set(Optional.of("paused: 403 from Power BI"));
            HttpResponse<String> down = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode failing = json.readTree(down.body());
            assertThat(failing.path("status").asString()).isEqualTo("not ready");
            assertThat(failing.path("failing").values()).extracting(JsonNode::asString).containsExactly("powerbi_route");
            assertThat(failing.path("checks").path("powerbi_route").asString()).isEqualTo("paused: 403 from Power BI");
            assertThat(failing.path("checks").path("keyset").asString()).isEqualTo("ok");
        } finally {
            app.close();
        }
    }
}
