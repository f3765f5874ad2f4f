package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.store.Database;
import io.mlconnector.store.StoreKeyset;
import io.mlconnector.store.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mlc serve} with a keyset that is not its store's stops before anything runs, with one line saying why. */
class ServeRefusalIT {

    @TempDir
    Path dir;

    @Test
    void aNewKeysetOnAnExistingStoreStopsServeWithOneLine() throws Exception {
        try (Database store = TestDatabases.h2(dir)) {
            StoreKeyset.open(store, dir.resolve("keyset.json"), Clock.systemUTC()); // the store's first start
        }
        Path newKeyset = dir.resolve("other-host/keyset.json");
        Path config = dir.resolve("ml-connector.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  port: 0",
                "  public-base-url: https://hooks.example.com/",
                "store:",
                "  jdbc-url: " + TestDatabases.h2Config(dir).jdbcUrl(),
                "secrets:",
                "  keyset-path: " + newKeyset,
                "freshbooks:",
                "  client-id: fb-client",
                "  client-secret: fb-secret-value",
                "powerbi:",
                "  tenant-id: tenant-1",
                "  client-id: pbi-client",
                "  client-secret: pbi-secret-value",
                "  workspace-id: ws-1",
                ""));
        StringWriter err = new StringWriter();
        CommandLine mlc = Main.commandLine();
        mlc.setErr(new PrintWriter(err, true));

        int status = mlc.execute("serve", "--config", config.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString().strip()).doesNotContain("\n")
                .startsWith("Configuration error: secrets.keyset-path " + newKeyset.toAbsolutePath() + ": ")
                .contains("copy the keyset file the other instances use (or restore it from backup)");
    }
}
