package io.mlconnector.config;

import static io.mlconnector.config.ConfigKey.ValueType.DURATION;
import static io.mlconnector.config.ConfigKey.ValueType.INT;
import static io.mlconnector.config.ConfigKey.ValueType.LIST;
import static io.mlconnector.config.ConfigKey.ValueType.LOG_FORMAT;
import static io.mlconnector.config.ConfigKey.ValueType.PATH;
import static io.mlconnector.config.ConfigKey.ValueType.SECRET;
import static io.mlconnector.config.ConfigKey.ValueType.TEXT;
import static io.mlconnector.config.ConfigKey.ValueType.URL;
import static io.mlconnector.config.ConfigKey.optional;
import static io.mlconnector.config.ConfigKey.required;

import java.util.List;
import java.util.Optional;

/** Every configuration key the connector reads, in the order of the reference document. */
public final class ConfigKeys {

    public static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./data/ml-connector;DB_CLOSE_ON_EXIT=FALSE";
    public static final String DEFAULT_SCOPES = "user:profile:read user:invoices:read user:payments:read user:expenses:read"
            + " user:clients:read user:bills:read user:bill_payments:read user:bill_vendors:read user:credit_notes:read"
            + " user:other_income:read user:account:read";

    public static final String DEFAULT_KEYSET_PATH = "~/.config/ml-connector/keyset.json";

    public static final List<ConfigKey> ALL = List.of(
            optional("server.bind-host", TEXT, "127.0.0.1",
                    "Address the HTTP server listens on; use 0.0.0.0 to accept connections from other machines."),
            optional("server.port", INT, "8080", "TCP port of the public HTTP server: webhooks, OAuth, /health (0 picks a free port)."),
            required("server.public-base-url", URL,
                    "The https URL at which FreshBooks reaches this server (webhooks are registered under it), e.g. https://hooks.example.com."),
            optional("server.webhook-store-timeout", DURATION, "5s",
                    "How long a webhook request waits for its event to reach the disk before answering 503."),

            optional("admin.bind-host", TEXT, "127.0.0.1",
                    "Address of the admin listener (status API, metrics, replays, connect links); anything but loopback requires admin.token."),
            optional("admin.port", INT, "8081", "TCP port of the admin listener (0 picks a free port)."),
            optional("admin.token", SECRET, null,
                    "Bearer token every admin request must carry (Authorization: Bearer <token>) when set; required when admin.bind-host is not loopback. Set it here or in the environment, never on a command line."),
            optional("admin.connect-link-lifetime", DURATION, "15m",
                    "How long a one-time link to connect a FreshBooks business (mlc connect freshbooks) stays valid."),

            optional("store.jdbc-url", TEXT, DEFAULT_JDBC_URL,
                    "JDBC URL of the store: an H2 file (single box) or jdbc:postgresql://... (cluster)."
                            + " On H2, webhooks and every commit that must survive a crash are fsynced before the connector goes on."),
            optional("store.username", TEXT, "sa", "Database user."),
            optional("store.password", SECRET, "", "Database password."),
            optional("store.pool-size", INT, "10", "Maximum database connections (1-200)."),

            optional("secrets.keyset-path", PATH, DEFAULT_KEYSET_PATH,
                    "Tink keyset file that encrypts tokens and verifiers at rest: created (owner-only, mode 0600) at the store's first start, and every instance on that store needs a copy (one that cannot decrypt the store's key-check value refuses to start). The default lies outside the data folder, so a copy of ./data does not carry the key; back it up apart from the database. A leading ~/ means the user's home folder."),
            optional("secrets.keyset", SECRET, null,
                    "The keyset itself (its JSON), usually as ML_CONNECTOR_SECRETS_KEYSET from a secret store; when set it wins over secrets.keyset-path, and no keyset file is read or created."),

            optional("freshbooks.api-base-url", URL, "https://api.freshbooks.com", "FreshBooks API host."),
            optional("freshbooks.auth-base-url", URL, "https://auth.freshbooks.com", "FreshBooks authorization (browser) host."),
            required("freshbooks.client-id", TEXT, "the client id of your FreshBooks app: FreshBooks, Settings > Developer Portal (my.freshbooks.com/#/developer), the app's page"),
            required("freshbooks.client-secret", SECRET, "the client secret of your FreshBooks app, on the same page as its client id"),
            optional("freshbooks.redirect-uri", URL, null,
                    "OAuth redirect URI registered with the FreshBooks app; defaults to <server.public-base-url>/oauth/freshbooks/callback."),
            optional("freshbooks.scopes", LIST, DEFAULT_SCOPES, "OAuth scopes requested when a business is connected."),

            optional("powerbi.authority-host", URL, "https://login.microsoftonline.com", "Microsoft Entra ID host."),
            required("powerbi.tenant-id", TEXT, "the Entra ID tenant (directory) id of the service principal: Azure portal, Microsoft Entra ID > App registrations > your app > Overview, 'Directory (tenant) ID'"),
            required("powerbi.client-id", TEXT, "the application (client) id of the service principal: the same Overview page, 'Application (client) ID'"),
            required("powerbi.client-secret", SECRET, "a client secret of the service principal: the app registration's Certificates & secrets > New client secret (its Value, shown once)"),
            optional("powerbi.api-base-url", URL, "https://api.powerbi.com", "Power BI REST API host."),
            required("powerbi.workspace-id", TEXT, "the id of the Power BI workspace the service principal is a Member (or Contributor) of: the part after /groups/ in the workspace's URL in app.powerbi.com"),
            optional("powerbi.dataset-name", TEXT, "ml-connector", "Name of the push dataset the connector creates and fills."),
            optional("powerbi.dataset-id", TEXT, null,
                    "Id of an existing push dataset to adopt instead of finding one by name or creating one (e.g. where Power BI refuses creation). It must be in the workspace; the connector never creates a dataset then, reports how its tables differ from the mapping, and clears and refills it from its ledger, so it holds exactly the connector's rows."),
            optional("powerbi.request-timeout", DURATION, "60s",
                    "How long one Power BI request may take; a POST still unanswered then has an unknown outcome, which the connector resolves before posting again."),
            optional("powerbi.trusted-certificate-pem", PATH, null,
                    "Optional PEM file with an extra CA certificate to trust for Entra ID and Power BI (used with the simulator)."),

            optional("pipeline.coalesce-window", DURATION, "2s",
                    "How long events for one object are gathered before it is fetched once."),
            optional("pipeline.max-batch-rows", INT, "10000", "Rows per Power BI POST (1-10000; the API's cap is 10,000)."),
            optional("pipeline.sweep-interval", DURATION, "15m", "How often the incremental sweep looks for changes missed by webhooks."),
            optional("pipeline.sweep-overlap", DURATION, "1d", "How far before its last watermark each sweep starts."),
            optional("pipeline.retention", DURATION, "7d",
                    "How long processed webhook events and rows of sent Power BI batches are kept before an hourly task deletes them."),
            optional("pipeline.control-totals-interval", DURATION, "10m",
                    "How often the count and money totals of every table and tenant are compared between the ledger and Power BI (Execute Queries); a table that differs twice in a row is rebuilt."),

            optional("pipeline.dead-letter-after", INT, "10",
                    "Failed fetches of one record before it is dead-lettered (listed by mlc status, re-queued by mlc replay)."),

            optional("pipeline.dimension-refresh-interval", DURATION, "10m",
                    "At most how often a dimension table (clients, vendors, accounts, expense categories) whose keys changed is reloaded in Power BI with one row per key; new keys go at once. Each reload sends the whole table: a longer interval spends less of the row quota."),

            optional("cluster.instance-id", TEXT, null,
                    "This instance's name in leases and claims, unique per instance sharing a PostgreSQL store; defaults to <host name>-<process id>."),
            optional("cluster.lease-duration", DURATION, "30s",
                    "How long an instance owns a job (such as the push stream to Power BI) unless it renews it; another instance takes over after that."),

            optional("log.format", LOG_FORMAT, "text", "Log output: text (human-readable) or json (one JSON object per line)."),

            optional("alerts.webhook-url", SECRET, null,
                    "Optional incoming webhook (Slack, Microsoft Teams, or any JSON receiver) that gets a POST for each alert and each resolved alert; its body has a text field and the alert's fields. Treated as a secret (such URLs carry one). Alerts are logged either way."),
            optional("alerts.freshness-objective", DURATION, "60s",
                    "How old the oldest change not yet in Power BI (from the webhook's arrival) may get before the freshness alert fires."),
            optional("alerts.control-totals-grace", DURATION, "30m",
                    "How long a table's control totals may differ from Power BI's before the alert fires (a rebuild usually repairs it sooner)."),
            optional("alerts.check-interval", DURATION, "15s",
                    "How often one instance of the cluster evaluates the alert conditions from the store."));

    private ConfigKeys() {
    }

    public static Optional<ConfigKey> find(String key) {
        return ALL.stream().filter(k -> k.key().equals(key)).findFirst();
    }
}
