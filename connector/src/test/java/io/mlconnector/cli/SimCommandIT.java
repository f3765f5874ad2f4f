package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.sim.Simulators;
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

class SimCommandIT {

    @Test
    void writesAConfigurationThatLoadsAsIsAndLabelsEachPrintedValueWithItsKey(@TempDir Path dir) throws Exception {
        try (Simulators sims = Simulators.start(0, 42, Clock.systemUTC())) {
            Path pem = SimCommand.writeCertificate(sims, dir.resolve("certs/entra.pem"));
            URI connector = URI.create("http://127.0.0.1:18080");
            URI redirect = URI.create("http://127.0.0.1:18080/oauth/freshbooks/callback");
            Map<String, String> values = SimCommand.configValues(sims, pem, connector, redirect, dir.resolve("store"));

            Path written = SimCommand.writeConfig(dir.resolve("ml-connector.sim.yaml"), values);
            List<String> lines = SimCommand.describe(sims, values, List.of(redirect.toString()), written);

            assertThat(Files.readString(pem)).isEqualTo(sims.entra().certificatePem());
            ConnectorConfig config = new ConfigLoader().load(written, Map.of());
            assertThat(config.server().port()).isEqualTo(18080);
            assertThat(config.server().publicBaseUrl()).isEqualTo(connector);
            assertThat(config.freshbooks().apiBaseUrl().toString()).isEqualTo(sims.freshBooks().baseUrl());
            assertThat(config.freshbooks().redirectUri()).isEqualTo(redirect);
            assertThat(config.powerbi().authorityHost().toString()).isEqualTo(sims.entra().baseUrl());
            assertThat(config.powerbi().workspaceId()).isEqualTo(sims.demoWorkspaceId());
            assertThat(config.powerbi().clientSecret()).isEqualTo(sims.demoApp().clientSecret());
            assertThat(config.powerbi().trustedCertificatePem()).isEqualTo(pem);
            assertThat(config.secrets().keysetPath()).isEqualTo(dir.resolve("store/keyset.json"));
            assertThat(config.store().jdbcUrl()).startsWith("jdbc:h2:file:" + dir.resolve("store/ml-connector") + ";");
            assertThat(lines).contains(
                    String.format("  %-32s %s", "powerbi.workspace-id", sims.demoWorkspaceId()),
                    String.format("  %-32s %s", "freshbooks.client-id", sims.freshBooks().demoApp().clientId()),
                    String.format("  %-32s %s", "powerbi.trusted-certificate-pem", pem),
                    String.format("%-32s %s", "freshbooks", sims.freshBooks().baseUrl()));
            assertThat(String.join("\n", lines)).contains("written to " + written).contains("mlc serve --config " + written);
        }
    }

    @Test
    void theFreshBooksAppAcceptsTheConfiguredRedirectUri() throws Exception {
        try (Simulators sims = Simulators.start(0, 42, Clock.systemUTC())) {
            URI redirect = URI.create("https://connector.example.com:9443/oauth/freshbooks/callback");
            String clientId = sims.freshBooks().demoApp().clientId();
            URI authorize = URI.create(sims.freshBooks().baseUrl() + "/oauth/authorize?response_type=code&client_id="
                    + clientId + "&redirect_uri=" + redirect + "&state=s1");
            HttpClient http = HttpClient.newHttpClient();

            assertThat(http.send(HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(400); // invalid_redirect_uri before

            List<String> accepted = SimCommand.acceptRedirect(sims, redirect);

            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(302);
            assertThat(answer.headers().firstValue("Location").orElseThrow()).startsWith(redirect + "?code=");
            assertThat(accepted).contains(redirect.toString(), "http://127.0.0.1:8080/oauth/freshbooks/callback");
        }
    }

    @Test
    void withoutTheSimulatorsCertificateTheErrorNamesTheKeyThatTrustsIt(@TempDir Path dir) throws Exception {
        try (Simulators sims = Simulators.start(0, 42, Clock.systemUTC())) {
            Path pem = SimCommand.writeCertificate(sims, dir.resolve("entra.pem"));
            Map<String, String> values = new java.util.LinkedHashMap<>(SimCommand.configValues(sims, pem,
                    URI.create("http://127.0.0.1:18080"), URI.create("http://127.0.0.1:18080/oauth/freshbooks/callback"),
                    dir.resolve("store")));
            values.remove("powerbi.trusted-certificate-pem");
            Path config = SimCommand.writeConfig(dir.resolve("no-cert.yaml"), values);
            java.io.StringWriter err = new java.io.StringWriter();

            int exit = Main.commandLine().setOut(new java.io.PrintWriter(new java.io.StringWriter(), true))
                    .setErr(new java.io.PrintWriter(err, true)).execute("dataset", "check", "--config", config.toString());

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).contains("TLS certificate is not trusted").contains("powerbi.trusted-certificate-pem")
                    .doesNotContain("\tat ").doesNotContain("PKIX");
            assertThat(err.toString().lines()).hasSize(1);
        }
    }
}
