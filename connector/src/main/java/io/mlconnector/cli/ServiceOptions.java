package io.mlconnector.cli;

import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where the running connector's admin listener answers: {@code --url}, else {@code admin.port} (and bind-host) of
 * {@code --config}, else 8081; and its token: {@code admin.token} of {@code --config}, else ML_CONNECTOR_ADMIN_TOKEN.
 * The token is never an option: command lines show up in process lists and shell histories.
 */
final class ServiceOptions {
    static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8081");
    static final String TOKEN_VARIABLE = "ML_CONNECTOR_ADMIN_TOKEN";
    private static final Set<String> ANY_ADDRESS = Set.of("", "0.0.0.0", "::", "[::]");

    @Option(names = "--url", converter = Converters.HttpUrl.class, description = "Admin URL of the running connector"
            + " (default: from --config, else http://127.0.0.1:8081). The token comes from ML_CONNECTOR_ADMIN_TOKEN.")
    URI url;

    @Option(names = "--config", description = "Configuration file to read admin.port, admin.bind-host and admin.token from; "
            + "ML_CONNECTOR_* environment variables override it.")
    Path configFile;

    /** The admin API client, at the admin URL with the admin token (if any). */
    ConnectorService service() {
        if (configFile == null) {
            return new ConnectorService(url != null ? url : DEFAULT_URL, emptyToNull(System.getenv(TOKEN_VARIABLE)));
        }
        ConnectorConfig.Admin admin = new ConfigLoader().load(configFile, System.getenv()).admin();
        return new ConnectorService(url != null ? url : adminUrl(admin), admin.token());
    }

    private static URI adminUrl(ConnectorConfig.Admin admin) {
        String host = admin.bindHost() == null || ANY_ADDRESS.contains(admin.bindHost()) ? "127.0.0.1" : admin.bindHost();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal in a URL
        }
        return URI.create("http://" + host + ":" + admin.port());
    }

    private static String emptyToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
