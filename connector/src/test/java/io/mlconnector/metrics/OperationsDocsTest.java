package io.mlconnector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlconnector.pipeline.FetchedRecord;
import io.mlconnector.pipeline.RowSink;
import io.mlconnector.powerbi.DatasetInfo;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.TableInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Keeps docs/operations.md's companions honest: the Grafana dashboard and the Prometheus rules parse, and every
 * metric they use is one the code registers (a scrape of the meters {@link ConnectorMetrics} registers, JVM ones
 * included, plus the names the other components register in {@code src/main/java}); and operations.md names them all.
 */
class OperationsDocsTest {
    private static final Path DOCS = Path.of("..", "docs");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "bool");
    private static final List<String> SUFFIXES = List.of("_total", "_bucket", "_count", "_sum", "_max");

    @Test
    void theDashboardParsesAndUsesOnlyRegisteredMetrics() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DOCS.resolve("grafana-dashboard.json")));
        assertThat(dashboard.path("title").asString()).isEqualTo("ml-connector");
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets").isEmpty()).as("panel " + panel.path("title").asString() + " has queries").isFalse();
            panel.path("targets").forEach(t -> expressions.add(t.path("expr").asString()));
        }
        Set<String> used = metricNames(expressions);
        assertThat(used).as("the dashboard's metrics").contains("freshness_seconds_bucket", "powerbi_rows_pushed_total",
                "inbox_pending_events", "powerbi_post_requests_total", "tenants", "jvm_memory_used_bytes");
        assertThat(used).allSatisfy(name -> assertThat(registered(name)).as(name + " is registered by the code").isTrue());
    }

    @Test
    void thePrometheusRulesParseAndUseOnlyRegisteredMetrics() throws IOException {
        JsonNode rules = YAMLMapper.builder().build().readTree(Files.readString(DOCS.resolve("prometheus-alerts.yml")));
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("alert").asString()).isNotBlank();
                expressions.add(rule.path("expr").asString());
            }
        }
        Set<String> used = metricNames(expressions);
        assertThat(used).as("one rule per alert of the connector's own").contains("tenants", "powerbi_blocked_tables",
                "powerbi_route_paused", "inbox_dead_letters", "outbox_quarantined_batches", "control_totals_differing_tables",
                "freshness_waiting_age_seconds");
        assertThat(used).allSatisfy(name -> assertThat(registered(name)).as(name + " is registered by the code").isTrue());
    }

    @Test
    void operationsMdNamesEveryMetricTheConnectorRegistersItself() throws IOException {
        String doc = Files.readString(DOCS.resolve("operations.md"));
        for (String name : sourceNames()) {
            String shown = name.equals("freshness") ? "freshness_seconds" : name;
            assertThat(doc).as("operations.md documents " + shown).contains("`" + shown);
        }
    }

    @Test
    void theExpressionParserFindsMetricNamesOnly() {
        assertThat(metricNames(List.of("histogram_quantile(0.95, sum by (tenant, le) (rate(freshness_seconds_bucket[5m]))) > 60",
                "max(inbox_oldest_pending_age_seconds) > 300 or max(outbox_oldest_unsent_age_seconds{a=\"b\"}) > 300")))
                .containsExactlyInAnyOrder("freshness_seconds_bucket", "inbox_oldest_pending_age_seconds",
                        "outbox_oldest_unsent_age_seconds");
    }

    /** Metric names in PromQL: identifiers outside label matchers, ranges and groupings that are not functions. */
    static Set<String> metricNames(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        Pattern identifier = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        for (String expr : expressions) {
            String bare = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ")
                    .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ");
            Matcher m = identifier.matcher(bare);
            while (m.find()) {
                String word = m.group();
                int after = m.end();
                while (after < bare.length() && bare.charAt(after) == ' ') {
                    after++;
                }
                boolean function = after < bare.length() && bare.charAt(after) == '(';
                if (!function && !PROMQL_WORDS.contains(word) && !word.matches("[0-9eE.]+")) {
                    names.add(word);
                }
            }
        }
        return names;
    }

    private static boolean registered(String name) {
        Set<String> known = known();
        if (known.contains(name)) {
            return true;
        }
        return SUFFIXES.stream().anyMatch(s -> name.endsWith(s) && known.contains(name.substring(0, name.length() - s.length())));
    }

    private static Set<String> knownCache;

    /** Base names: a scrape of what ConnectorMetrics registers, and the names built in src/main/java. */
    private static synchronized Set<String> known() {
        if (knownCache != null) {
            return knownCache;
        }
        Set<String> known = new TreeSet<>();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ConnectorMetrics metrics = new ConnectorMetrics(meters)) {
            metrics.registerStoreGauges(new StubReadings(), Clock.systemUTC());
            metrics.tokenRefreshes("freshbooks");
            metrics.meter(new StubSink());
            metrics.meter(key -> new FetchedRecord(Optional.empty(), 1));
            new PushMeters(null, meters).freshness("t1").record(Duration.ofSeconds(3));
            for (String line : meters.scrape().split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    String series = line.split("[{ ]", 2)[0];
                    known.add(series);
                    SUFFIXES.stream().filter(series::endsWith)
                            .forEach(s -> known.add(series.substring(0, series.length() - s.length())));
                }
            }
        }
        for (String name : sourceNames()) {
            known.add(name);
        }
        known.add("freshness_seconds");
        knownCache = known;
        return known;
    }

    /** Names given to meter builders in the main sources. */
    static Set<String> sourceNames() {
        Set<String> names = new TreeSet<>();
        Pattern builder = Pattern.compile("(Counter|Gauge|Timer|DistributionSummary|MultiGauge)\\.builder\\(\"([a-z_]+)\"");
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = builder.matcher(Files.readString(file));
                while (m.find()) {
                    names.add(m.group(2));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return names;
    }

    private static final class StubReadings implements StoreReadings {
        @Override
        public long inboxPending() {
            return 1;
        }

        @Override
        public Instant inboxOldestPending() {
            return Instant.now();
        }

        @Override
        public long outboxUnsent() {
            return 2;
        }

        @Override
        public Instant outboxOldestUnsent() {
            return null;
        }

        @Override
        public Map<String, Long> tenantsByState() {
            return Map.of("active", 1L);
        }

        @Override
        public List<String> tenantIds() {
            return List.of("t1");
        }

        @Override
        public long blockedTables() {
            return 0;
        }

        @Override
        public Map<String, Instant> oldestWaitingChangeByTenant() {
            return Map.of();
        }
    }

    private static final class StubSink implements RowSink {
        @Override
        public Duration requestTimeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        public List<DatasetInfo> findDatasetsByName(String workspaceId, String name) {
            return List.of();
        }

        @Override
        public List<TableInfo> getTables(String workspaceId, String datasetId) {
            return List.of();
        }

        @Override
        public PostRowsResult postRows(String workspaceId, String datasetId, String table, String body, int rowCount,
                                       Long sequenceNumber) {
            return new PostRowsResult.Accepted("r");
        }

        @Override
        public void deleteRows(String workspaceId, String datasetId, String table) {
        }

        @Override
        public Optional<Long> lastSequenceNumber(String workspaceId, String datasetId, String table, String clientId) {
            return Optional.empty();
        }

        @Override
        public long countRowsOfBatch(String workspaceId, String datasetId, String table, String batchId) {
            return 0;
        }
    }
}
