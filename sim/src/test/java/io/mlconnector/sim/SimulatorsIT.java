package io.mlconnector.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SimulatorsIT {

    @Test
    void startsEntraPowerBiAndFreshBooksWithTheDemoAppAsWorkspaceMember() throws Exception {
        try (Simulators sims = Simulators.start(0, 42, Clock.systemUTC())) {
            assertThat(sims.services()).extracting(Simulators.Service::name)
                    .containsExactly("entra-id", "power-bi", "freshbooks");
            assertThat(sims.services().get(2).baseUrl()).isEqualTo(sims.freshBooks().baseUrl());
            assertThat(sims.services().get(0).baseUrl()).startsWith("https://localhost:");
            assertThat(sims.services().get(1).baseUrl()).startsWith("http://localhost:");
            HttpClient http = HttpClient.newBuilder().sslContext(sims.entra().sslContextTrustingSelf()).build();

            String form = "grant_type=client_credentials&client_id=" + sims.demoApp().clientId() + "&client_secret="
                    + sims.demoApp().clientSecret() + "&scope=https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi%2F.default";
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(
                            URI.create(sims.entra().tokenEndpoint(sims.demoApp().tenantId())))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            String accessToken = Json.MAPPER.readTree(token.body()).get("access_token").asString();

            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(sims.powerBi().apiBaseUrl()
                            + "/groups/" + sims.demoWorkspaceId() + "/datasets"))
                    .header("Authorization", "Bearer " + accessToken)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Demo\",\"tables\":[{\"name\":\"T\","
                            + "\"columns\":[{\"name\":\"c\",\"dataType\":\"Int64\"}]}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode listed = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(sims.powerBi().apiBaseUrl()
                            + "/groups/" + sims.demoWorkspaceId() + "/datasets"))
                    .header("Authorization", "Bearer " + accessToken).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(listed.get("value").get(0).get("configuredBy").asString()).isEqualTo("ml-connector demo");
        }
    }

    @Test
    void takesConsecutivePortsFromTheGivenOne() throws Exception {
        int first;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            first = probe.getLocalPort();
        }
        if (first > 65_000) {
            first = 20_000 + first % 10_000; // leave room for port + 2
        }
        try (Simulators sims = Simulators.start(first, 1, Clock.systemUTC())) {
            assertThat(sims.entra().port()).isEqualTo(first);
            assertThat(sims.powerBi().port()).isEqualTo(first + 1);
            assertThat(sims.freshBooks().port()).isEqualTo(first + 2);
        }
    }
}
