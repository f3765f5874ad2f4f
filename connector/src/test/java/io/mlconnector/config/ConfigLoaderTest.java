package io.mlconnector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    static final String MINIMAL_YAML = """
            server:
              public-base-url: https://hooks.example.com/
            freshbooks:
              client-id: fb-client
              client-secret: fb-secret-value
            powerbi:
              tenant-id: tenant-1
              client-id: pbi-client
              client-secret: pbi-secret-value
              workspace-id: ws-1
            """;

    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void defaultsApplyWhenOnlyRequiredKeysAreGiven() {
        ConnectorConfig config = loader.parse(MINIMAL_YAML, Map.of());

        assertThat(config.server().bindHost()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().webhookStoreTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.store().jdbcUrl()).isEqualTo("jdbc:h2:file:./data/ml-connector;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(config.store().username()).isEqualTo("sa");
        assertThat(config.store().poolSize()).isEqualTo(10);
        assertThat(config.secrets().keysetPath()).isEqualTo(Path.of(System.getProperty("user.home"), ".config/ml-connector/keyset.json"));
        assertThat(config.secrets().keysetJson()).isNull();
        assertThat(config.freshbooks().apiBaseUrl()).isEqualTo(URI.create("https://api.freshbooks.com"));
        assertThat(config.freshbooks().authBaseUrl()).isEqualTo(URI.create("https://auth.freshbooks.com"));
        assertThat(config.freshbooks().redirectUri()).isEqualTo(URI.create("https://hooks.example.com/oauth/freshbooks/callback"));
        assertThat(config.freshbooks().scopes()).contains("user:profile:read", "user:invoices:read").hasSize(11);
        assertThat(config.powerbi().authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.com"));
        assertThat(config.powerbi().apiBaseUrl()).isEqualTo(URI.create("https://api.powerbi.com"));
        assertThat(config.powerbi().datasetName()).isEqualTo("ml-connector");
        assertThat(config.powerbi().datasetId()).as("no dataset adopted unless powerbi.dataset-id is set").isNull();
        assertThat(config.powerbi().trustedCertificatePem()).isNull();
        assertThat(config.pipeline().coalesceWindow()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.pipeline().maxBatchRows()).isEqualTo(10_000);
        assertThat(config.pipeline().sweepOverlap()).isEqualTo(Duration.ofDays(1));
        assertThat(config.pipeline().retention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.log().format()).isEqualTo(LogFormat.TEXT);
        assertThat(config.admin()).isEqualTo(new ConnectorConfig.Admin("127.0.0.1", 8081, null, Duration.ofMinutes(15)));
    }

    @Test
    void anAdminListenerOffLoopbackNeedsATokenAndSaysSoInOneLine() {
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML + "admin:\n  bind-host: 0.0.0.0\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0)).startsWith("admin.token:").contains("0.0.0.0")
                            .contains("ML_CONNECTOR_ADMIN_TOKEN").doesNotContain("\n");
                });
        ConnectorConfig withToken = loader.parse(MINIMAL_YAML + "admin:\n  bind-host: 10.0.0.5\n  port: 0\n",
                Map.of("ML_CONNECTOR_ADMIN_TOKEN", "s3cret-admin"));
        assertThat(withToken.admin().token()).isEqualTo("s3cret-admin");
        assertThat(withToken.admin().port()).isZero();
        assertThat(withToken.toString()).doesNotContain("s3cret-admin");
        for (String loopback : new String[] {"localhost", "127.0.0.1", "127.1.2.3", "::1"}) {
            assertThat(loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_ADMIN_BIND_HOST", loopback)).admin().token()).isNull();
        }
    }

    @Test
    void yamlValuesOfEveryTypeAreRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ml-connector.yaml");
        Files.writeString(file, MINIMAL_YAML + """
                store:
                  jdbc-url: jdbc:postgresql://db:5432/mlc
                  pool-size: 20
                pipeline:
                  coalesce-window: 500ms
                  max-batch-rows: 5000
                  sweep-interval: PT30M
                  retention: 36h
                log:
                  format: json
                """.replace("store:", "store:").indent(0));
        ConnectorConfig config = loader.load(file, Map.of());

        assertThat(config.store().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/mlc");
        assertThat(config.store().poolSize()).isEqualTo(20);
        assertThat(config.pipeline().coalesceWindow()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.pipeline().maxBatchRows()).isEqualTo(5000);
        assertThat(config.pipeline().sweepInterval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.pipeline().retention()).isEqualTo(Duration.ofHours(36));
        assertThat(config.log().format()).isEqualTo(LogFormat.JSON);
    }

    @Test
    void scopesMayBeAYamlList() {
        ConnectorConfig config = loader.parse(MINIMAL_YAML.replace("  client-id: fb-client\n",
                "  client-id: fb-client\n  scopes: [user:profile:read, user:invoices:read]\n"), Map.of());

        assertThat(config.freshbooks().scopes()).containsExactly("user:profile:read", "user:invoices:read");
    }

    @Test
    void environmentOverridesYaml() {
        ConnectorConfig config = loader.parse(MINIMAL_YAML, Map.of(
                "ML_CONNECTOR_POWERBI_CLIENT_SECRET", "from-env",
                "ML_CONNECTOR_SERVER_PORT", "9090",
                "ML_CONNECTOR_FRESHBOOKS_SCOPES", "user:profile:read,user:bills:read",
                "PATH", "/usr/bin"));

        assertThat(config.powerbi().clientSecret()).isEqualTo("from-env");
        assertThat(config.server().port()).isEqualTo(9090);
        assertThat(config.freshbooks().scopes()).containsExactly("user:profile:read", "user:bills:read");
    }

    /** powerbi.dataset-id adopts a dataset; an empty value (an empty environment variable) adopts none. */
    @Test
    void datasetIdIsReadAndEmptyMeansNone() {
        assertThat(loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_POWERBI_DATASET_ID", " ds-42 ")).powerbi().datasetId())
                .isEqualTo("ds-42");
        assertThat(loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_POWERBI_DATASET_ID", "")).powerbi().datasetId()).isNull();
    }

    @Test
    void environmentAloneIsEnough() {
        Map<String, String> env = new HashMap<>();
        env.put("ML_CONNECTOR_SERVER_PUBLIC_BASE_URL", "https://h.example.com");
        env.put("ML_CONNECTOR_FRESHBOOKS_CLIENT_ID", "a");
        env.put("ML_CONNECTOR_FRESHBOOKS_CLIENT_SECRET", "b");
        env.put("ML_CONNECTOR_POWERBI_TENANT_ID", "c");
        env.put("ML_CONNECTOR_POWERBI_CLIENT_ID", "d");
        env.put("ML_CONNECTOR_POWERBI_CLIENT_SECRET", "e");
        env.put("ML_CONNECTOR_POWERBI_WORKSPACE_ID", "f");

        assertThat(loader.loadEnvironmentOnly(env).powerbi().workspaceId()).isEqualTo("f");
    }

    @Test
    void missingRequiredValueNamesKeyEnvironmentVariableAndMeaning() {
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML.replace("  workspace-id: ws-1\n", ""), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("powerbi.workspace-id: missing. Set it in ml-connector.yaml or ML_CONNECTOR_POWERBI_WORKSPACE_ID"
                        + " (the id of the Power BI workspace the service principal is a Member (or Contributor) of:"
                        + " the part after /groups/ in the workspace's URL in app.powerbi.com).");
    }

    @Test
    void unknownYamlKeyIsRejectedWithTheKnownKeysOfItsTopic() {
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML + "store:\n  jdbcUrl: jdbc:h2:mem:x\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("store.jdbcUrl: unknown key. Known keys under 'store': jdbc-url, username, password, pool-size.");
    }

    @Test
    void unknownTopicIsRejected() {
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML + "serverr:\n  port: 1\n", Map.of()))
                .hasMessageStartingWith("serverr.port: unknown key. Known topics: server, admin, store, secrets, freshbooks, powerbi, pipeline, cluster, log, alerts.");
    }

    @Test
    void unknownEnvironmentVariableIsRejected() {
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_POWERBI_SECRET", "x")))
                .hasMessage("ML_CONNECTOR_POWERBI_SECRET: unknown environment variable. Remove it, or use one of the names in docs/configuration.md.");
    }

    @Test
    void badValuesAreNamedWithTheFix() {
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_SERVER_PORT", "80a")))
                .hasMessage("server.port: bad value '80a'; must be a whole number from 0 to 65535 (ML_CONNECTOR_SERVER_PORT).");
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_PIPELINE_MAX_BATCH_ROWS", "20000")))
                .hasMessage("pipeline.max-batch-rows: bad value '20000'; must be a whole number from 1 to 10000 (ML_CONNECTOR_PIPELINE_MAX_BATCH_ROWS).");
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_PIPELINE_COALESCE_WINDOW", "2 seconds")))
                .hasMessage("pipeline.coalesce-window: bad value '2 seconds'; must be a positive duration like 500ms, 2s, 15m, 1h, 1d or PT2S (ML_CONNECTOR_PIPELINE_COALESCE_WINDOW).");
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_FRESHBOOKS_API_BASE_URL", "api.freshbooks.com")))
                .hasMessage("freshbooks.api-base-url: bad value 'api.freshbooks.com'; must be an absolute http(s) URL such as https://host.example.com (ML_CONNECTOR_FRESHBOOKS_API_BASE_URL).");
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML, Map.of("ML_CONNECTOR_LOG_FORMAT", "xml")))
                .hasMessage("log.format: bad value 'xml'; must be text or json (ML_CONNECTOR_LOG_FORMAT).");
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML + "server:\n  port: [1, 2]\n", Map.of()))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void allProblemsAreReportedTogether() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> loader.parse("", Map.of("ML_CONNECTOR_SERVER_PORT", "-1")));

        assertThat(e.problems()).hasSize(8);
        assertThat(e.problems()).anyMatch(p -> p.startsWith("server.public-base-url: missing."));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("server.port: bad value"));
    }

    @Test
    void invalidYamlIsOneProblem() {
        assertThatThrownBy(() -> loader.parse("server: [unclosed", Map.of()))
                .hasMessageStartingWith("ml-connector.yaml: not valid YAML");
    }

    @Test
    void secretsAreNeverPrinted() {
        ConnectorConfig config = loader.parse(MINIMAL_YAML, Map.of(
                "ML_CONNECTOR_STORE_PASSWORD", "db-secret-value",
                "ML_CONNECTOR_STORE_JDBC_URL", "jdbc:postgresql://db/mlc?user=u&password=url-secret-value"));

        assertThat(config.toString())
                .doesNotContain("fb-secret-value", "pbi-secret-value", "db-secret-value", "url-secret-value")
                .contains("clientSecret=****", "password=****");
    }

    @Test
    void badSecretValuesAreNotEchoed() {
        ConnectorConfig.Store store = new ConnectorConfig.Store("jdbc:h2:mem:x", "sa", "hunter2", 1);
        assertThat(store.toString()).doesNotContain("hunter2");
    }

    @Test
    void missingFileIsOneProblem(@TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.yaml: cannot be read");
    }

    @Test
    void aMissingOrNonPemCertificateFileIsNamedByItsKey(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nowhere.pem");
        Path notPem = Files.writeString(dir.resolve("cert.pem"), "just text\n");

        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML + "  trusted-certificate-pem: " + missing + "\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("powerbi.trusted-certificate-pem: no file at " + missing.toAbsolutePath() + ". Point it at the CA"
                        + " certificate (PEM) to trust (mlc sim writes the Entra simulator's and prints its path), or remove the key.");
        assertThatThrownBy(() -> loader.parse(MINIMAL_YAML + "  trusted-certificate-pem: " + notPem + "\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("powerbi.trusted-certificate-pem: " + notPem.toAbsolutePath() + " holds no PEM certificate");
    }
}
