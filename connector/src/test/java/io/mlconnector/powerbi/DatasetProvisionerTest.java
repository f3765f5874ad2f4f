package io.mlconnector.powerbi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.mlconnector.mapping.DatasetModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetProvisionerTest {

    static final String WS = "ws-1";
    static final String DATASETS = "/v1.0/myorg/groups/" + WS + "/datasets";

    static WireMockServer server;
    DatasetModel model = DatasetModel.freshBooks("FreshBooks");
    DatasetProvisioner provisioner;
    /** The same client, adopting dataset {@code adopted} (powerbi.dataset-id). */
    DatasetProvisioner adopting;

    @BeforeAll
    static void start() {
        server = new WireMockServer(options().dynamicPort());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @BeforeEach
    void setUp() {
        server.resetAll();
        PushDatasetClient client = new PushDatasetClient(HttpClient.newHttpClient(),
                URI.create(server.baseUrl() + "/v1.0/myorg"), new FakeTokenSource(), Duration.ofSeconds(5),
                new MutableClock(Instant.parse("2025-03-01T10:00:00Z")));
        provisioner = new DatasetProvisioner(client, RetentionPolicy.NONE);
        adopting = new DatasetProvisioner(client, RetentionPolicy.NONE, "adopted");
        server.stubFor(put(urlPathMatching(DATASETS + "/.*/tables/.*")).willReturn(aResponse().withStatus(200)));
    }

    private void datasets(String json) {
        server.stubFor(get(urlEqualTo(DATASETS)).willReturn(aResponse().withStatus(200).withBody("{\"value\":" + json + "}")));
    }

    private void tables(String datasetId, String... names) {
        String value = java.util.Arrays.stream(names).map(n -> "{\"name\":\"" + n + "\"}").collect(Collectors.joining(","));
        server.stubFor(get(urlEqualTo(DATASETS + "/" + datasetId + "/tables"))
                .willReturn(aResponse().withStatus(200).withBody("{\"value\":[" + value + "]}")));
    }

    @Test
    void createsTheDatasetWhenMissing() {
        datasets("[{\"id\":\"x\",\"name\":\"Other\"}]");
        server.stubFor(post(urlEqualTo(DATASETS + "?defaultRetentionPolicy=None"))
                .willReturn(aResponse().withStatus(201).withBody("{\"id\":\"new\",\"name\":\"FreshBooks\"}")));

        DatasetProvisioner.Provisioned result = provisioner.ensure(WS, model);

        assertThat(result).isEqualTo(new DatasetProvisioner.Provisioned("new", true, java.util.List.of(), java.util.List.of()));
        server.verify(1, postRequestedFor(anyUrl()));
    }

    @Test
    void putsOnlyMissingTablesOfAnExistingDataset() {
        datasets("[{\"id\":\"ds\",\"name\":\"FreshBooks\"}]");
        String[] present = model.tableNames().stream().filter(n -> !n.equals("bill_lines")).toArray(String[]::new);
        tables("ds", present);

        DatasetProvisioner.Provisioned result = provisioner.ensure(WS, model);

        assertThat(result.datasetId()).isEqualTo("ds");
        assertThat(result.created()).isFalse();
        assertThat(result.tablesPut()).containsExactly("bill_lines");
        assertThat(result.warnings()).singleElement().asString().contains("no relationships");
        server.verify(1, putRequestedFor(urlEqualTo(DATASETS + "/ds/tables/bill_lines")));
        server.verify(0, postRequestedFor(anyUrl()));
    }

    /** Where the service will not add a table (404, as the simulator reads §2.6), the rest still syncs. */
    @Test
    void aMissingTableTheServiceWillNotAddIsAWarningWithTheFixThatWorks() {
        datasets("[{\"id\":\"ds\",\"name\":\"FreshBooks\"}]");
        String[] present = model.tableNames().stream().filter(n -> !n.equals("bill_lines")).toArray(String[]::new);
        tables("ds", present);
        server.stubFor(put(urlEqualTo(DATASETS + "/ds/tables/bill_lines")).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":{\"code\":\"ItemNotFound\",\"message\":\"Table bill_lines not found\"}}")));

        DatasetProvisioner.Provisioned result = provisioner.sync(WS, model);

        assertThat(result.tablesPut()).containsExactly(present);
        assertThat(result.warnings()).singleElement().asString()
                .contains("'bill_lines'", "delete the dataset in Power BI, run mlc dataset create");
    }

    @Test
    void syncPutsEveryTable() {
        datasets("[{\"id\":\"ds\",\"name\":\"FreshBooks\"}]");
        tables("ds", model.tableNames().toArray(String[]::new));

        DatasetProvisioner.Provisioned result = provisioner.sync(WS, model);

        assertThat(result.tablesPut()).containsExactlyElementsOf(model.tableNames());
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void duplicatesUseTheOldestAndWarn() {
        datasets("[{\"id\":\"young\",\"name\":\"FreshBooks\",\"createdDate\":\"2025-02-01T00:00:00Z\"},"
                + "{\"id\":\"old\",\"name\":\"FreshBooks\",\"createdDate\":\"2024-02-01T00:00:00Z\"}]");
        tables("old", model.tableNames().toArray(String[]::new));

        DatasetProvisioner.Provisioned result = provisioner.ensure(WS, model);

        assertThat(result.datasetId()).isEqualTo("old");
        assertThat(result.tablesPut()).isEmpty();
        assertThat(result.warnings()).singleElement().asString().contains("2 datasets", "using the oldest, old", "young");
    }

    @Test
    void checkReportsDifferencesWithoutChangingAnything() {
        datasets("[{\"id\":\"ds\",\"name\":\"FreshBooks\"}]");
        tables("ds", "invoices", "clients");

        assertThat(provisioner.check(WS, model)).extracting(SchemaDiff.Difference::table)
                .containsExactly("invoice_lines", "payments", "expenses", "bills", "bill_lines", "bill_payments",
                        "cash_movements", "vendors", "accounts", "expense_categories");
        server.verify(0, putRequestedFor(anyUrl()));
        server.verify(0, postRequestedFor(anyUrl()));
    }

    // ---- powerbi.dataset-id: adopting a dataset, and creation refused -------------------------------------------

    @Test
    void anAdoptedDatasetIsUsedWhateverItsNameNeverCreatedAndItsDifferencesReported() {
        datasets("[{\"id\":\"by-name\",\"name\":\"FreshBooks\"},{\"id\":\"adopted\",\"name\":\"Made by hand\"}]");
        String[] tables = java.util.stream.Stream.concat(model.tableNames().stream(), java.util.stream.Stream.of("notes"))
                .toArray(String[]::new);
        tables("adopted", tables);

        DatasetProvisioner.Provisioned result = adopting.ensure(WS, model);

        assertThat(result.datasetId()).isEqualTo("adopted");
        assertThat(result.created()).isFalse();
        assertThat(result.tablesPut()).isEmpty();
        assertThat(result.warnings()).singleElement().asString()
                .contains("adopted dataset adopted differs from the mapping", "table 'notes'", "harmless");
        assertThat(adopting.check(WS, model)).singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo(SchemaDiff.Kind.EXTRA_TABLE));
        server.verify(0, postRequestedFor(anyUrl()));
        server.verify(0, putRequestedFor(anyUrl()));
    }

    /** Found by name, the same tables would be no difference: without adoption nothing is reported. */
    @Test
    void withoutAdoptionTheDatasetIsFoundByName() {
        datasets("[{\"id\":\"by-name\",\"name\":\"FreshBooks\"},{\"id\":\"adopted\",\"name\":\"Made by hand\"}]");
        tables("by-name", model.tableNames().toArray(String[]::new));

        assertThat(provisioner.ensure(WS, model).datasetId()).isEqualTo("by-name");
        assertThat(provisioner.adoptedDatasetId()).isEmpty();
        assertThat(adopting.adoptedDatasetId()).contains("adopted");
    }

    @Test
    void anAdoptedDatasetNotInTheWorkspaceIsNoDatasetNamingTheSettingAndNothingIsCreated() {
        datasets("[{\"id\":\"other\",\"name\":\"FreshBooks\"}]");

        for (Runnable call : java.util.List.<Runnable>of(() -> adopting.ensure(WS, model), () -> adopting.sync(WS, model),
                () -> adopting.check(WS, model))) {
            NoDatasetException e = catchThrowableOfType(NoDatasetException.class, call::run);
            assertThat(e).isNotNull();
            assertThat(e.reason()).contains("dataset adopted (powerbi.dataset-id) is not in workspace ws-1",
                    "'FreshBooks' other");
            assertThat(e.fix()).contains("Set powerbi.dataset-id");
        }
        server.verify(0, postRequestedFor(anyUrl()));
    }

    /** A table the adopted dataset lacks cannot be had by re-creating the dataset (we never create it). */
    @Test
    void anAdoptedDatasetsMissingTableIsFixedByAdoptingAnother() {
        datasets("[{\"id\":\"adopted\",\"name\":\"Made by hand\"}]");
        tables("adopted", model.tableNames().stream().filter(n -> !n.equals("bill_lines")).toArray(String[]::new));

        assertThat(adopting.check(WS, model)).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(SchemaDiff.Kind.MISSING_TABLE);
            assertThat(d.table()).isEqualTo("bill_lines");
            assertThat(d.fix()).contains("powerbi.dataset-id").doesNotContain("mlc dataset create (");
        });
        assertThat(adopting.missingTableFix()).contains("powerbi.dataset-id");
        assertThat(provisioner.missingTableFix()).isEqualTo(SchemaDiff.MISSING_TABLE_FIX);
    }

    @ParameterizedTest(name = "HTTP {0} {1}")
    @CsvSource({
            "403, FeatureDeprecatedError, true, false",
            "400, FeatureDeprecatedError, true, false",
            "403, PowerBINotAuthorizedException, true, true",
            "400, InvalidRequest, false, false",
            "500, InternalServerError, false, false"})
    void creationRefusedSaysToAdoptADataset(int status, String code, boolean noDataset, boolean mentionsViewer) {
        datasets("[]");
        server.stubFor(post(urlEqualTo(DATASETS + "?defaultRetentionPolicy=None")).willReturn(aResponse().withStatus(status)
                .withBody("{\"error\":{\"code\":\"" + code + "\",\"pbi.error\":{\"code\":\"" + code + "\",\"details\":[]}}}")));

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> provisioner.ensure(WS, model));

        if (!noDataset) {
            assertThat(thrown).isInstanceOf(PowerBiApiException.class); // retried or reported as before
            return;
        }
        assertThat(thrown).isInstanceOf(NoDatasetException.class);
        NoDatasetException e = (NoDatasetException) thrown;
        assertThat(e.reason()).contains("Power BI refused to create dataset 'FreshBooks' in workspace ws-1", code);
        assertThat(e.fix()).contains("set its id in powerbi.dataset-id");
        assertThat(e.fix().contains("Viewer")).isEqualTo(mentionsViewer);
        assertThat(e.getMessage()).isEqualTo(e.reason() + " " + e.fix());
    }
}
