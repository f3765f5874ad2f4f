package io.mlconnector.cli;

import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/** Where the running connector answers: {@code --url}, else {@code server.port} of {@code --config}, else 8080. */
final class ServiceOptions {
    static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8080");
    private static final Set<String> ANY_ADDRESS = Set.of("", "0.0.0.0", "::", "[::]");

    @Option(names = "--url", description = "Base URL of the running connector (default: from --config, else "
            + "http://127.0.0.1:8080).")
    URI url;

    @Option(names = "--config", description = "Configuration file to read server.port (and bind-host) from; "
            + "ML_CONNECTOR_* environment variables override it.")
    Path configFile;

    URI baseUrl() {
        if (url != null) {
            return url;
        }
        if (configFile == null) {
            return DEFAULT_URL;
        }
        ConnectorConfig.Server server = new ConfigLoader().load(configFile, System.getenv()).server();
        String host = server.bindHost() == null || ANY_ADDRESS.contains(server.bindHost()) ? "127.0.0.1"
                : server.bindHost();
        return URI.create("http://" + host + ":" + server.port());
    }
}
