package io.mlconnector.powerbi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MSAL4J against a WireMock HTTPS token endpoint whose self-signed certificate (made here with the
 * JDK's keytool) is trusted only through the PEM option.
 */
class MsalTokenSourceTest {

    static final String TENANT = "tenant-1";
    static final String TOKEN_PATH = "/" + TENANT + "/oauth2/v2.0/token";
    static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    static Path pem;
    static WireMockServer entra;

    MutableClock clock;

    @BeforeAll
    static void startHttpsEntra() throws Exception {
        Path keystore = dir.resolve("entra.p12");
        pem = dir.resolve("entra.pem");
        keytool("-genkeypair", "-alias", "entra", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "entra", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-file", pem.toString());
        entra = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
                .keystorePath(keystore.toString()).keystoreType("PKCS12")
                .keystorePassword(PASSWORD).keyManagerPassword(PASSWORD));
        entra.start();
    }

    @AfterAll
    static void stop() {
        entra.stop();
    }

    @BeforeEach
    void setUp() {
        entra.resetAll();
        clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    }

    private MsalTokenSource tokenSource(String secret) {
        MsalTokenSource.Settings settings = new MsalTokenSource.Settings(
                URI.create("https://localhost:" + entra.httpsPort()), TENANT, "app-id", secret, pem);
        return new MsalTokenSource(settings, clock);
    }

    private static void tokenResponses(String... tokens) {
        String state = Scenario.STARTED;
        for (int i = 0; i < tokens.length; i++) {
            String next = "after-" + i;
            entra.stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
                                    + "\"access_token\":\"" + tokens[i] + "\"}"))
                    .willSetStateTo(next));
            state = next;
        }
    }

    @Test
    void acquiresCachesAndReacquiresAfterNinetyPercentOfTheLifetime() {
        tokenResponses("tok-1", "tok-2");
        MsalTokenSource source = tokenSource("s3cret");

        assertThat(source.accessToken()).isEqualTo("tok-1");
        assertThat(source.accessToken()).isEqualTo("tok-1");
        clock.advance(Duration.ofSeconds(3000)); // < 90 % of 3599 s
        assertThat(source.accessToken()).isEqualTo("tok-1");
        entra.verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH)));

        clock.advance(Duration.ofSeconds(300)); // now past 90 % (≈ 3239 s)
        assertThat(source.accessToken()).isEqualTo("tok-2");
        entra.verify(2, postRequestedFor(urlEqualTo(TOKEN_PATH)));
        entra.verify(postRequestedFor(urlEqualTo(TOKEN_PATH))
                .withRequestBody(containing("grant_type=client_credentials"))
                .withRequestBody(containing("client_id=app-id"))
                .withRequestBody(containing("analysis.windows.net%2Fpowerbi%2Fapi%2F.default")));
    }

    @Test
    void invalidateForcesANewToken() {
        tokenResponses("tok-1", "tok-2");
        MsalTokenSource source = tokenSource("s3cret");

        assertThat(source.accessToken()).isEqualTo("tok-1");
        source.invalidate();
        assertThat(source.accessToken()).isEqualTo("tok-2");
    }

    @Test
    void aWrongSecretNamesTheAadstsCodeAndTheSetting() {
        entra.stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret "
                        + "provided. Ensure the secret being sent in the request is the client secret value, not the "
                        + "client secret ID.\",\"error_codes\":[7000215],\"timestamp\":\"2024-01-01 00:00:00Z\","
                        + "\"trace_id\":\"t\",\"correlation_id\":\"c\"}")));
        MsalTokenSource source = tokenSource("wrong-secret");

        assertThatThrownBy(source::accessToken)
                .isInstanceOfSatisfying(PowerBiAuthException.class, e -> {
                    assertThat(e.aadstsCode()).contains("7000215");
                    assertThat(e.errorCode()).contains("invalid_client");
                    assertThat(e.getMessage()).contains("AADSTS7000215", "powerbi.client-secret")
                            .doesNotContain("wrong-secret");
                });
    }

    @Test
    void withoutTheExtraCertificateTheAuthorityIsNotTrusted() {
        tokenResponses("tok-1");
        MsalTokenSource.Settings settings = new MsalTokenSource.Settings(
                URI.create("https://localhost:" + entra.httpsPort()), TENANT, "app-id", "s3cret", null);
        MsalTokenSource untrusting = new MsalTokenSource(settings, clock);

        assertThatThrownBy(untrusting::accessToken).isInstanceOf(PowerBiAuthException.class)
                .hasMessageContaining("powerbi.trusted-certificate");
    }

    @Test
    void instanceDiscoveryOnlyForMicrosoftHosts() {
        assertThat(MsalTokenSource.isMicrosoftHost(MsalTokenSource.MICROSOFT_AUTHORITY_HOST)).isTrue();
        assertThat(MsalTokenSource.isMicrosoftHost(URI.create("https://login.microsoftonline.us"))).isTrue();
        assertThat(MsalTokenSource.isMicrosoftHost(URI.create("https://localhost:8443"))).isFalse();
    }

    @Test
    void settingsNeverPrintTheSecret() {
        MsalTokenSource.Settings settings = new MsalTokenSource.Settings(
                MsalTokenSource.MICROSOFT_AUTHORITY_HOST, TENANT, "app-id", "very-secret", null);
        assertThat(settings.toString()).doesNotContain("very-secret");
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }
}
