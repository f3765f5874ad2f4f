package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.config.ConfigException;
import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.store.CallbackRepository;
import io.mlconnector.store.Database;
import io.mlconnector.store.SecretBox;
import io.mlconnector.store.StoreKeyset;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The secrets keyset (issue 10 item 5): a wrong one stops start-up, rotation keeps old secrets readable, the environment wins. */
class KeysetIT {

    static final Clock CLOCK = Clock.systemUTC();
    static final String VERIFIER = "verifier-that-must-survive-rotation";

    @TempDir
    Path dir;

    @Test
    void aWrongKeysetStopsTheProcessWithOneLineAndANonZeroExit() throws Exception {
        Path keyset = dir.resolve("keys/keyset.json");
        storeOneVerifier(keyset);
        Path wrong = dir.resolve("elsewhere/keyset.json");
        SecretBox.open(wrong); // a valid keyset, but not the store's
        Path config = writeConfig(wrong);

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString())
                .redirectOutput(dir.resolve("child.out").toFile()).redirectError(dir.resolve("child.err").toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the refusal ends the process").isTrue();

        assertThat(child.exitValue()).isEqualTo(2);
        List<String> lines = Files.readAllLines(dir.resolve("child.err"), StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith("Configuration error:")).toList();
        assertThat(lines).singleElement().asString()
                .startsWith("Configuration error: secrets.keyset-path " + wrong.toAbsolutePath() + ": ")
                .contains("cannot decrypt the store's secrets")
                .contains("copy the keyset file the other instances use");
    }

    @Test
    void rotateAddsAPrimaryKeyAndOldSecretsStillDecrypt() throws Exception {
        Path keyset = dir.resolve("keys/keyset.json");
        String token = storeOneVerifier(keyset);
        String before = Files.readString(keyset);
        StringWriter out = new StringWriter();
        CommandLine mlc = Main.commandLine();
        mlc.setOut(new PrintWriter(out, true));

        int status = mlc.execute("keys", "rotate", "--config", writeConfig(keyset).toString());

        assertThat(status).isEqualTo(0);
        assertThat(out.toString()).contains("made it the primary");
        String after = Files.readString(keyset);
        assertThat(after).isNotEqualTo(before);
        assertThat(after.split("\"keyId\"", -1)).as("two keys").hasSize(3);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyset))).isEqualTo("rw-------");
        try (Database database = TestDatabases.h2(dir)) {
            SecretBox rotated = StoreKeyset.open(database, keyset, CLOCK); // the key-check value still decrypts
            CallbackRepository callbacks = new CallbackRepository(database, rotated, CLOCK, new SecureRandom());
            assertThat(callbacks.findWithVerifier(token).orElseThrow().verifier()).isEqualTo(VERIFIER);
            String fresh = rotated.encrypt("new secret", "test/context");
            assertThat(SecretBox.fromJson(before, "old keyset"))
                    .as("new secrets use the new key").satisfies(old -> assertThatThrownBy(() -> old.decrypt(fresh, "test/context"))
                            .isInstanceOf(SecretBox.SecretBoxException.class));
        }
    }

    @Test
    void aKeysetInTheEnvironmentWinsOverTheFile() throws Exception {
        Path keyset = dir.resolve("keys/keyset.json");
        String token = storeOneVerifier(keyset);
        Path otherFile = dir.resolve("other/keyset.json");
        SecretBox.open(otherFile);
        Path config = writeConfig(otherFile);

        ConnectorConfig.Secrets fromEnvironment = new ConfigLoader()
                .load(config, Map.of("ML_CONNECTOR_SECRETS_KEYSET", Files.readString(keyset))).secrets();
        ConnectorConfig.Secrets wrongInEnvironment = new ConfigLoader()
                .load(config, Map.of("ML_CONNECTOR_SECRETS_KEYSET", Files.readString(otherFile))).secrets();

        assertThat(fromEnvironment.toString()).doesNotContain("primaryKeyId");
        try (Database database = TestDatabases.h2(dir)) {
            SecretBox box = StoreKeyset.open(database, fromEnvironment, CLOCK);
            assertThat(new CallbackRepository(database, box, CLOCK, new SecureRandom()).findWithVerifier(token)
                    .orElseThrow().verifier()).isEqualTo(VERIFIER);
            assertThatThrownBy(() -> StoreKeyset.open(database, wrongInEnvironment, CLOCK))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("secrets.keyset (ML_CONNECTOR_SECRETS_KEYSET): this keyset cannot decrypt");
        }
    }

    /** A store whose keyset is {@code keyset}, holding one encrypted verifier; returns its callback token. */
    private String storeOneVerifier(Path keyset) {
        try (Database database = TestDatabases.h2(dir)) {
            SecretBox box = StoreKeyset.open(database, keyset, CLOCK);
            new TenantRepository(database, CLOCK).upsertFromDiscovery("6BApk", 439000, "uuid-6BApk", "Business", null);
            CallbackRepository callbacks = new CallbackRepository(database, box, CLOCK, new SecureRandom());
            String token = callbacks.createPending("6BApk", "invoice").uriToken();
            callbacks.storeVerifier(token, VERIFIER);
            return token;
        }
    }

    private Path writeConfig(Path keyset) throws Exception {
        Path config = dir.resolve("ml-connector.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  port: 0",
                "  public-base-url: https://hooks.example.com/",
                "store:",
                "  jdbc-url: " + TestDatabases.h2Config(dir).jdbcUrl(),
                "secrets:",
                "  keyset-path: " + keyset,
                "freshbooks:",
                "  client-id: fb-client",
                "  client-secret: fb-secret-value",
                "powerbi:",
                "  tenant-id: tenant-1",
                "  client-id: pbi-client",
                "  client-secret: pbi-secret-value",
                "  workspace-id: ws-1",
                ""));
        return config;
    }
}
