package io.mlconnector.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The connector's settings, grouped by topic. Built by {@link ConfigLoader} (which validates everything);
 * every key, default and environment name is listed in {@link ConfigKeys} and in docs/configuration.md.
 * Secrets are masked in every {@code toString}.
 */
public record ConnectorConfig(Server server, Store store, Secrets secrets, FreshBooks freshbooks, PowerBi powerbi,
                              Pipeline pipeline, Log log) {

    static final String MASK = "****";

    public ConnectorConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(freshbooks, "freshbooks");
        Objects.requireNonNull(powerbi, "powerbi");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(log, "log");
    }

    /**
     * HTTP server: where it listens and the URL FreshBooks sees.
     *
     * @param webhookStoreTimeout how long a webhook request waits for its group commit before answering 503
     */
    public record Server(String bindHost, int port, URI publicBaseUrl, Duration webhookStoreTimeout) {}

    /** The database: H2 file (default) or PostgreSQL. */
    public record Store(String jdbcUrl, String username, String password, int poolSize) {
        @Override
        public String toString() {
            return "Store[jdbcUrl=" + maskUrlPassword(jdbcUrl) + ", username=" + username + ", password=" + MASK
                    + ", poolSize=" + poolSize + "]";
        }
    }

    /** Where the Tink keyset that encrypts tokens and verifiers lives (outside the database). */
    public record Secrets(Path keysetPath) {}

    /** The FreshBooks OAuth app and API hosts. */
    public record FreshBooks(URI apiBaseUrl, URI authBaseUrl, String clientId, String clientSecret, URI redirectUri,
                             List<String> scopes) {
        public FreshBooks {
            scopes = List.copyOf(scopes);
        }

        @Override
        public String toString() {
            return "FreshBooks[apiBaseUrl=" + apiBaseUrl + ", authBaseUrl=" + authBaseUrl + ", clientId=" + clientId
                    + ", clientSecret=" + MASK + ", redirectUri=" + redirectUri + ", scopes=" + scopes + "]";
        }
    }

    /**
     * The Entra ID service principal and the Power BI target.
     *
     * @param trustedCertificatePem an extra CA certificate (PEM file) to trust, or {@code null}; used for the simulator
     * @param requestTimeout        how long one request may take
     */
    public record PowerBi(URI authorityHost, String tenantId, String clientId, String clientSecret, URI apiBaseUrl,
                          String workspaceId, String datasetName, Path trustedCertificatePem, Duration requestTimeout) {
        @Override
        public String toString() {
            return "PowerBi[authorityHost=" + authorityHost + ", tenantId=" + tenantId + ", clientId=" + clientId
                    + ", clientSecret=" + MASK + ", apiBaseUrl=" + apiBaseUrl + ", workspaceId=" + workspaceId
                    + ", datasetName=" + datasetName + ", trustedCertificatePem=" + trustedCertificatePem
                    + ", requestTimeout=" + requestTimeout + "]";
        }
    }

    /**
     * Pipeline tuning.
     *
     * @param coalesceWindow how long to wait for more events on one object before fetching it once
     * @param maxBatchRows   rows per Power BI POST (the API's cap is 10,000)
     * @param sweepInterval  how often the incremental sweep looks for missed webhooks
     * @param sweepOverlap   how far before the last watermark a sweep starts (DESIGN §1: one day)
     * @param retention      how long processed inbox events and sent outbox rows and batches are kept
     * @param controlTotalsInterval how often the ledger's totals are compared with Power BI's
     */
    public record Pipeline(Duration coalesceWindow, int maxBatchRows, Duration sweepInterval, Duration sweepOverlap,
                           Duration retention, Duration controlTotalsInterval) {}

    /** Log output format. */
    public record Log(LogFormat format) {}

    static String maskUrlPassword(String jdbcUrl) {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1" + MASK);
    }
}
