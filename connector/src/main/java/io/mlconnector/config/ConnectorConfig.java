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
public record ConnectorConfig(Server server, Admin admin, Store store, Secrets secrets, FreshBooks freshbooks, PowerBi powerbi,
                              Pipeline pipeline, Cluster cluster, Log log, Alerts alerts) {

    static final String MASK = "****";

    /** Without the {@code alerts.*} keys: their defaults. */
    public ConnectorConfig(Server server, Admin admin, Store store, Secrets secrets, FreshBooks freshbooks, PowerBi powerbi,
                           Pipeline pipeline, Cluster cluster, Log log) {
        this(server, admin, store, secrets, freshbooks, powerbi, pipeline, cluster, log, Alerts.DEFAULTS);
    }

    public ConnectorConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(freshbooks, "freshbooks");
        Objects.requireNonNull(powerbi, "powerbi");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(alerts, "alerts");
    }

    /**
     * HTTP server: where it listens and the URL FreshBooks sees.
     *
     * @param webhookStoreTimeout how long a webhook request waits for its group commit before answering 503
     */
    public record Server(String bindHost, int port, URI publicBaseUrl, Duration webhookStoreTimeout) {}

    /**
     * The admin listener: status, metrics and actions, apart from the public one that faces FreshBooks.
     *
     * @param token               bearer token required on every admin request, or {@code null} (loopback only)
     * @param connectLinkLifetime how long a one-time link to connect a business stays valid
     */
    public record Admin(String bindHost, int port, String token, Duration connectLinkLifetime) {
        @Override
        public String toString() {
            return "Admin[bindHost=" + bindHost + ", port=" + port + ", token=" + (token == null ? null : MASK)
                    + ", connectLinkLifetime=" + connectLinkLifetime + "]";
        }
    }

    /** The database: H2 file (default) or PostgreSQL. */
    public record Store(String jdbcUrl, String username, String password, int poolSize) {
        @Override
        public String toString() {
            return "Store[jdbcUrl=" + maskUrlPassword(jdbcUrl) + ", username=" + username + ", password=" + MASK
                    + ", poolSize=" + poolSize + "]";
        }
    }

    /**
     * Where the Tink keyset that encrypts tokens and verifiers lives (outside the database).
     *
     * @param keysetJson the keyset itself (secrets.keyset, e.g. from ML_CONNECTOR_SECRETS_KEYSET), or {@code null};
     *                   when set it wins over {@code keysetPath}
     */
    public record Secrets(Path keysetPath, String keysetJson) {
        public Secrets(Path keysetPath) {
            this(keysetPath, null);
        }

        /** Where the keyset comes from, for messages: the variable or the file. */
        public String source() {
            return keysetJson != null ? "secrets.keyset (ML_CONNECTOR_SECRETS_KEYSET)"
                    : "secrets.keyset-path " + keysetPath.toAbsolutePath();
        }

        @Override
        public String toString() {
            return "Secrets[keysetPath=" + keysetPath + ", keysetJson=" + (keysetJson == null ? "-" : MASK) + "]";
        }
    }

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
     * @param datasetId             an existing dataset to adopt (powerbi.dataset-id), or {@code null}: find by name or create
     * @param trustedCertificatePem an extra CA certificate (PEM file) to trust, or {@code null}; used for the simulator
     * @param requestTimeout        how long one request may take
     */
    public record PowerBi(URI authorityHost, String tenantId, String clientId, String clientSecret, URI apiBaseUrl,
                          String workspaceId, String datasetName, String datasetId, Path trustedCertificatePem, Duration requestTimeout) {
        @Override
        public String toString() {
            return "PowerBi[authorityHost=" + authorityHost + ", tenantId=" + tenantId + ", clientId=" + clientId
                    + ", clientSecret=" + MASK + ", apiBaseUrl=" + apiBaseUrl + ", workspaceId=" + workspaceId
                    + ", datasetName=" + datasetName + ", datasetId=" + datasetId + ", trustedCertificatePem=" + trustedCertificatePem
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
     * @param deadLetterAfter how many failed fetches of one record before it is dead-lettered
     * @param dimensionRefreshInterval at most how often a dimension table with changed keys is reloaded
     */
    public record Pipeline(Duration coalesceWindow, int maxBatchRows, Duration sweepInterval, Duration sweepOverlap,
                           Duration retention, Duration controlTotalsInterval, int deadLetterAfter,
                           Duration dimensionRefreshInterval) {}

    /**
     * Several instances on one PostgreSQL (DESIGN §6).
     *
     * @param instanceId    this instance's name in leases and work claims (default: host name and process id)
     * @param leaseDuration how long a lease (such as a route's push stream) lasts unless its owner renews it
     */
    public record Cluster(String instanceId, Duration leaseDuration) {}

    /**
     * Alerts (issue 12; docs/operations.md).
     *
     * @param webhookUrl         where each alert and each resolution is POSTed as JSON, or {@code null}: logged only
     * @param freshnessObjective how old the oldest change not yet in Power BI may get
     * @param controlTotalsGrace how long control totals may differ before the alert fires
     * @param checkInterval      how often the conditions are evaluated
     */
    public record Alerts(java.net.URI webhookUrl, Duration freshnessObjective, Duration controlTotalsGrace,
                         Duration checkInterval) {
        public static final Alerts DEFAULTS = new Alerts(null, Duration.ofSeconds(60), Duration.ofMinutes(30),
                Duration.ofSeconds(15));

        @Override
        public String toString() { // a Slack or Teams webhook URL is a secret
            return "Alerts[webhookUrl=" + (webhookUrl == null ? null : MASK) + ", freshnessObjective=" + freshnessObjective
                    + ", controlTotalsGrace=" + controlTotalsGrace + ", checkInterval=" + checkInterval + "]";
        }
    }

    /** Log output format. */
    public record Log(LogFormat format) {}

    static String maskUrlPassword(String jdbcUrl) {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1" + MASK);
    }
}
