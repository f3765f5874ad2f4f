package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.config.ConfigException;
import io.mlconnector.config.ConfigKey;
import io.mlconnector.config.ConfigKeys;
import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.store.SecretBox;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlc init}, run in-process through {@link Main#commandLine()}. */
class InitCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void writesEveryKeyWithItsMeaningAndCreatesTheKeysetWhereTheFileSays(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("ml-connector.yaml");
        Path keyset = dir.resolve("keys/keyset.json");

        int exit = run("init", "--config", config.toString(), "--keyset-path", keyset.toString());

        assertThat(exit).as(err.toString()).isZero();
        String yaml = Files.readString(config);
        for (ConfigKey key : ConfigKeys.ALL) {
            String name = key.key().substring(key.key().indexOf('.') + 1);
            assertThat(yaml).as(key.key()).contains(key.envName()).containsPattern("(?m)^  (# )?" + name + ":");
        }
        assertThat(yaml).contains("Directory (tenant) ID").contains("Developer Portal");
        assertThat(Files.exists(keyset)).isTrue();
        SecretBox box = SecretBox.open(keyset);
        assertThat(box.decrypt(box.encrypt("x", "c"), "c")).isEqualTo("x");
        assertThat(out.toString()).contains("Created the keyset " + keyset.toAbsolutePath())
                .contains("powerbi.workspace-id");

        // The file as written names exactly the required keys still to fill in; filled in, it loads as is.
        assertThatThrownBy(() -> new ConfigLoader().load(config, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.public-base-url: missing")
                .hasMessageContaining("powerbi.client-secret: missing")
                .hasMessageNotContaining("unknown key");
        Map<String, String> env = new HashMap<>();
        ConfigKeys.ALL.stream().filter(ConfigKey::required).forEach(k -> env.put(k.envName(),
                k.type() == ConfigKey.ValueType.URL ? "https://hooks.example.com" : "x-" + k.key()));
        ConnectorConfig loaded = new ConfigLoader().load(config, env);
        assertThat(loaded.secrets().keysetPath()).isEqualTo(keyset);
        assertThat(loaded.server().port()).isEqualTo(8080); // commented-out keys keep their defaults
    }

    @Test
    void aGivenPublicUrlIsWrittenSet(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("c.yaml");

        run("init", "--config", config.toString(), "--keyset-path", dir.resolve("k.json").toString(),
                "--public-base-url", "https://hooks.example.com");

        assertThat(Files.readString(config)).containsPattern("(?m)^  public-base-url: https://hooks.example.com$");
        assertThat(out.toString()).doesNotContain("fill in server.public-base-url");
    }

    @Test
    void refusesToOverwriteAConfigurationWithoutForceAndNeverReplacesAKeyset(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("ml-connector.yaml");
        Path keyset = dir.resolve("keyset.json");
        Files.writeString(config, "# mine\n");
        SecretBox.open(keyset);
        String keysetBefore = Files.readString(keyset);

        int refused = run("init", "--config", config.toString(), "--keyset-path", keyset.toString());

        assertThat(refused).isEqualTo(1);
        assertThat(err.toString()).contains("exists").contains("--force").doesNotContain("\tat ");
        assertThat(Files.readString(config)).isEqualTo("# mine\n");

        int forced = run("init", "--config", config.toString(), "--keyset-path", keyset.toString(), "--force");

        assertThat(forced).isZero();
        assertThat(Files.readString(config)).contains("public-base-url");
        assertThat(Files.readString(keyset)).isEqualTo(keysetBefore);
        assertThat(out.toString()).contains("Kept the existing keyset");
    }

    @Test
    void aKeysetThatIsNotOneIsNamedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("ml-connector.yaml");
        Path keyset = dir.resolve("keyset.json");
        Files.writeString(keyset, "not a keyset");

        int exit = run("init", "--config", config.toString(), "--keyset-path", keyset.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("secrets.keyset-path").contains("--keyset-path").doesNotContain("\tat ");
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(Files.exists(config)).isFalse();
    }

    @Test
    void aBadUrlIsABadOption(@TempDir Path dir) {
        assertThat(run("init", "--config", dir.resolve("c.yaml").toString(), "--public-base-url", "hooks")).isEqualTo(2);
        assertThat(err.toString()).contains("--public-base-url").doesNotContain("\tat ");
    }
}
