package io.mlconnector.config;

import io.mlconnector.config.ConfigKey.ValueType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Loads {@link ConnectorConfig} from {@code ml-connector.yaml} (kebab-case keys, grouped by topic) with
 * {@code ML_CONNECTOR_*} environment variables on top. All validation lives here: every unknown key, bad
 * value and missing required value is collected into one {@link ConfigException}.
 */
public final class ConfigLoader {

    public static final String FILE_NAME = "ml-connector.yaml";
    static final String ENV_PREFIX = "ML_CONNECTOR_";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private final YAMLMapper yaml = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Reads the YAML file (which must exist) and applies the environment on top. */
    public ConnectorConfig load(Path yamlFile, Map<String, String> environment) {
        String text;
        try {
            text = Files.readString(yamlFile);
        } catch (IOException e) {
            throw new ConfigException(List.of(yamlFile + ": cannot be read (" + e.getMessage()
                    + "). Create it (see docs/configuration.md) or configure with ML_CONNECTOR_* variables only."));
        }
        return parse(text, environment);
    }

    /** Uses only defaults and the environment (no file), e.g. in containers. */
    public ConnectorConfig loadEnvironmentOnly(Map<String, String> environment) {
        return parse("", environment);
    }

    /** Parses YAML text and applies the environment on top. */
    public ConnectorConfig parse(String yamlText, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> raw = new LinkedHashMap<>();
        readYaml(yamlText, raw, problems);
        readEnvironment(environment, raw, problems);
        Values values = new Values(raw, problems);
        ConnectorConfig config = build(values);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    private void readYaml(String text, Map<String, Object> raw, List<String> problems) {
        if (text.isBlank()) {
            return;
        }
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JacksonException e) {
            problems.add(FILE_NAME + ": not valid YAML (" + e.getOriginalMessage() + "). Fix the syntax near the position given.");
            return;
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return;
        }
        if (!root.isObject()) {
            problems.add(FILE_NAME + ": must be a mapping of topics (server, admin, store, secrets, freshbooks, powerbi, pipeline, cluster, log).");
            return;
        }
        flatten("", root, raw, problems);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> raw, List<String> problems) {
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
            JsonNode value = entry.getValue();
            boolean known = ConfigKeys.find(key).isPresent();
            if (value.isNull() && !known && prefix.isEmpty() && isTopic(key)) {
                continue; // "admin:" with every key under it commented out, as mlc init writes it
            }
            if (value.isObject() && !known) {
                flatten(key, value, raw, problems);
            } else if (!known) {
                problems.add(key + ": unknown key. " + suggestion(key));
            } else if (value.isNull()) {
                continue; // "key:" with no value means "use the default"
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.values().forEach(item -> items.add(item.asString()));
                raw.put(key, items);
            } else if (value.isValueNode()) {
                raw.put(key, value.asString());
            } else {
                problems.add(key + ": must be a single value, not a mapping.");
            }
        }
    }

    /** The extra CA file must hold a PEM certificate: found now, a mistake names its key instead of failing in TLS later. */
    static void checkCertificate(Path pem, List<String> problems) {
        if (pem == null) {
            return;
        }
        String key = "powerbi.trusted-certificate-pem";
        if (!Files.isRegularFile(pem)) {
            problems.add(key + ": no file at " + pem.toAbsolutePath() + ". Point it at the CA certificate (PEM) to trust"
                    + " (mlc sim writes the Entra simulator's and prints its path), or remove the key.");
            return;
        }
        try (var in = Files.newInputStream(pem)) {
            if (!java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                return;
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            // reported below
        }
        problems.add(key + ": " + pem.toAbsolutePath() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)."
                + " Point it at the CA certificate to trust, or remove the key.");
    }

    private static boolean isTopic(String name) {
        return ConfigKeys.ALL.stream().anyMatch(k -> k.key().startsWith(name + "."));
    }

    private static void readEnvironment(Map<String, String> environment, Map<String, Object> raw, List<String> problems) {
        Map<String, ConfigKey> byEnvName = ConfigKeys.ALL.stream()
                .collect(Collectors.toMap(ConfigKey::envName, k -> k));
        environment.entrySet().stream()
                .filter(e -> e.getKey().startsWith(ENV_PREFIX))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    ConfigKey key = byEnvName.get(e.getKey());
                    if (key == null) {
                        problems.add(e.getKey() + ": unknown environment variable. Remove it, or use one of the names in docs/configuration.md.");
                    } else {
                        raw.put(key.key(), e.getValue());
                    }
                });
    }

    private static String suggestion(String key) {
        String group = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
        List<String> siblings = ConfigKeys.ALL.stream().map(ConfigKey::key)
                .filter(k -> k.startsWith(group + ".")).toList();
        if (!siblings.isEmpty()) {
            return "Known keys under '" + group + "': " + siblings.stream()
                    .map(k -> k.substring(group.length() + 1)).collect(Collectors.joining(", ")) + ".";
        }
        Set<String> groups = ConfigKeys.ALL.stream().map(k -> k.key().substring(0, k.key().indexOf('.')))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        return "Known topics: " + String.join(", ", groups) + ".";
    }

    private static ConnectorConfig build(Values v) {
        URI publicBaseUrl = v.url("server.public-base-url");
        var server = new ConnectorConfig.Server(v.text("server.bind-host"), v.integer("server.port", 0, 65535),
                publicBaseUrl, v.duration("server.webhook-store-timeout"));
        var admin = new ConnectorConfig.Admin(v.text("admin.bind-host"), v.integer("admin.port", 0, 65535),
                emptyToNull(v.text("admin.token")), v.duration("admin.connect-link-lifetime"));
        if (admin.token() == null && admin.bindHost() != null && !isLoopback(admin.bindHost())) {
            v.problems.add("admin.token: missing; admin.bind-host '" + admin.bindHost() + "' is not loopback, so the admin"
                    + " listener needs a token. Set admin.token in " + FILE_NAME + " or ML_CONNECTOR_ADMIN_TOKEN.");
        }
        var store = new ConnectorConfig.Store(v.text("store.jdbc-url"), v.text("store.username"),
                v.text("store.password"), v.integer("store.pool-size", 1, 200));
        var secrets = new ConnectorConfig.Secrets(v.path("secrets.keyset-path"), emptyToNull(v.text("secrets.keyset")));
        URI redirectUri = v.url("freshbooks.redirect-uri");
        if (redirectUri == null && publicBaseUrl != null) {
            redirectUri = URI.create(stripSlash(publicBaseUrl.toString()) + "/oauth/freshbooks/callback");
        }
        var freshbooks = new ConnectorConfig.FreshBooks(v.url("freshbooks.api-base-url"), v.url("freshbooks.auth-base-url"),
                v.text("freshbooks.client-id"), v.text("freshbooks.client-secret"), redirectUri, v.list("freshbooks.scopes"));
        var powerbi = new ConnectorConfig.PowerBi(v.url("powerbi.authority-host"), v.text("powerbi.tenant-id"),
                v.text("powerbi.client-id"), v.text("powerbi.client-secret"), v.url("powerbi.api-base-url"),
                v.text("powerbi.workspace-id"), v.text("powerbi.dataset-name"), emptyToNull(v.text("powerbi.dataset-id")), v.path("powerbi.trusted-certificate-pem"),
                v.duration("powerbi.request-timeout"));
        checkCertificate(powerbi.trustedCertificatePem(), v.problems);
        var pipeline = new ConnectorConfig.Pipeline(v.duration("pipeline.coalesce-window"),
                v.integer("pipeline.max-batch-rows", 1, 10_000), v.duration("pipeline.sweep-interval"),
                v.duration("pipeline.sweep-overlap"), v.duration("pipeline.retention"),
                v.duration("pipeline.control-totals-interval"), v.integer("pipeline.dead-letter-after", 1, 1000),
                v.duration("pipeline.dimension-refresh-interval"));
        String instanceId = v.text("cluster.instance-id");
        var cluster = new ConnectorConfig.Cluster(instanceId != null ? instanceId : defaultInstanceId(),
                v.duration("cluster.lease-duration"));
        var log = new ConnectorConfig.Log(v.logFormat("log.format"));
        var alerts = new ConnectorConfig.Alerts(v.secretUrl("alerts.webhook-url"), v.duration("alerts.freshness-objective"),
                v.duration("alerts.control-totals-grace"), v.duration("alerts.check-interval"));
        return new ConnectorConfig(server, admin, store, secrets, freshbooks, powerbi, pipeline, cluster, log, alerts);
    }

    /** Loopback by its text only (no name lookup): localhost, 127.x.x.x or ::1. */
    static boolean isLoopback(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    /** An optional key set to "" (e.g. an empty environment variable) means not set. */
    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Reads typed values, recording a problem (and returning null) when a value is missing or bad. */
    private static final class Values {
        private final Map<String, Object> raw;
        private final List<String> problems;

        Values(Map<String, Object> raw, List<String> problems) {
            this.raw = raw;
            this.problems = problems;
        }

        private String textOf(ConfigKey key) {
            Object value = raw.get(key.key());
            if (value instanceof List<?> list) {
                if (key.type() != ValueType.LIST) {
                    bad(key, "must be a single value, not a list");
                    return null;
                }
                return list.stream().map(String::valueOf).collect(Collectors.joining(" "));
            }
            String text = value == null ? key.defaultValue() : ((String) value).trim();
            if (text == null || (text.isEmpty() && key.required())) {
                if (key.required()) {
                    problems.add(key.key() + ": missing. Set it in " + FILE_NAME + " or " + key.envName()
                            + " (" + key.meaning() + ").");
                }
                return null;
            }
            return text;
        }

        private void bad(ConfigKey key, String fix) {
            // Secret values are never echoed back, not even in error messages.
            Object value = raw.get(key.key());
            String shown = key.secret() || value == null ? "" : " '" + value + "'";
            problems.add(key.key() + ": bad value" + shown + "; " + fix + " (" + key.envName() + ").");
        }

        private ConfigKey key(String name) {
            return ConfigKeys.find(name).orElseThrow(() -> new IllegalArgumentException("no such key " + name));
        }

        String text(String name) {
            return textOf(key(name));
        }

        int integer(String name, int min, int max) {
            ConfigKey key = key(name);
            String text = textOf(key);
            if (text == null) {
                return 0;
            }
            try {
                int value = Integer.parseInt(text);
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            bad(key, "must be a whole number from " + min + " to " + max);
            return 0;
        }

        Duration duration(String name) {
            ConfigKey key = key(name);
            String text = textOf(key);
            if (text == null) {
                return null;
            }
            Duration value = parseDuration(text);
            if (value == null || value.isNegative() || value.isZero()) {
                bad(key, "must be a positive duration like 500ms, 2s, 15m, 1h, 1d or PT2S");
                return null;
            }
            return value;
        }

        URI url(String name) {
            ConfigKey key = key(name);
            String text = textOf(key);
            if (text == null) {
                return null;
            }
            URI uri = parseHttpUrl(text);
            if (uri != null) {
                return uri;
            }
            bad(key, "must be an absolute http(s) URL such as https://host.example.com");
            return null;
        }

        /** An http(s) URL kept secret: a bad value is not echoed back. */
        URI secretUrl(String name) {
            ConfigKey key = key(name);
            String text = emptyToNull(textOf(key));
            if (text == null) {
                return null;
            }
            URI uri = parseHttpUrl(text);
            if (uri != null) {
                return uri;
            }
            bad(key, "must be an absolute http(s) URL such as https://hooks.slack.com/services/...");
            return null;
        }

        Path path(String name) {
            ConfigKey key = key(name);
            String text = textOf(key);
            if (text == null || text.isEmpty()) {
                return null;
            }
            try {
                // "~/" is the home folder, as in a shell: the keyset's default lives there, apart from ./data.
                return text.startsWith("~/") ? Path.of(System.getProperty("user.home"), text.substring(2)) : Path.of(text);
            } catch (InvalidPathException e) {
                bad(key, "must be a file path");
                return null;
            }
        }

        List<String> list(String name) {
            String text = textOf(key(name));
            if (text == null) {
                return List.of();
            }
            return Arrays.stream(text.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
        }

        LogFormat logFormat(String name) {
            ConfigKey key = key(name);
            String text = textOf(key);
            try {
                return LogFormat.parse(text);
            } catch (IllegalArgumentException | NullPointerException e) {
                bad(key, "must be text or json");
                return LogFormat.TEXT;
            }
        }
    }

    /** Parses an absolute http(s) URL with a host; null when it is not one (the config's and the CLI's URL rule). */
    public static URI parseHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Parses 500ms, 2s, 15m, 1h, 1d or an ISO-8601 duration (PT2S); null when neither. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches() && m.group(1).length() <= 9) { // longer numbers are typos, not durations
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
