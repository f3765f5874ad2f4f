package io.mlconnector.powerbi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.mlconnector.mapping.DatasetModel;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PushDatasetClientTest {

    static final String WS = "11111111-2222-3333-4444-555555555555";
    static final String DS = "ds-1";
    static final String ROWS_PATH = "/v1.0/myorg/groups/" + WS + "/datasets/" + DS + "/tables/invoices/rows";
    static final String REQUEST_ID = "67ffe5da-0000-4000-8000-000000000001";

    static WireMockServer server;
    FakeTokenSource tokens;
    MutableClock clock;
    PushDatasetClient client;

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
        tokens = new FakeTokenSource();
        clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
        client = newClient(URI.create(server.baseUrl() + "/v1.0/myorg"), Duration.ofSeconds(5));
    }

    private PushDatasetClient newClient(URI base, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return new PushDatasetClient(http, base, tokens, timeout, clock);
    }

    private static List<Map<String, Object>> rows() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tenant", "ACM123");
        row.put("invoice_id", 987654L);
        row.put("amount", new java.math.BigDecimal("41.94"));
        row.put("sign", 1L);
        return List.of(row);
    }

    // ---- POST rows outcomes ------------------------------------------------------------------

    @Test
    void acceptedRowsSendBearerAndBody() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(200).withHeader("RequestId", REQUEST_ID)));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isEqualTo(new PostRowsResult.Accepted(REQUEST_ID));
        server.verify(postRequestedFor(urlEqualTo(ROWS_PATH))
                .withHeader("Authorization", equalTo("Bearer t1"))
                .withRequestBody(equalToJson("{\"rows\":[{\"tenant\":\"ACM123\",\"invoice_id\":987654,\"amount\":41.94,\"sign\":1}]}")));
    }

    @Test
    void throttledCarriesRetryAfterSecondsExactly() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3392").withHeader("RequestId", REQUEST_ID)
                .withBody("{\"message\":\"You have exceeded the amount of requests allowed in the current time frame "
                        + "and further requests will fail. Retry in 3392 seconds.\"}")));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isEqualTo(new PostRowsResult.Throttled(Duration.ofSeconds(3392), REQUEST_ID));
    }

    @Test
    void throttledWithoutRetryAfterLeavesTheWaitToBackoff() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(429)));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isInstanceOfSatisfying(PostRowsResult.Throttled.class,
                t -> assertThat(t.retryAfterHint()).isEmpty());
    }

    @Test
    void throttledWithAnHttpDateIsMeasuredOnTheClock() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "Sat, 01 Mar 2025 10:00:55 GMT")));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isEqualTo(new PostRowsResult.Throttled(Duration.ofSeconds(55), null));
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of(400, "{\"error\":{\"code\":\"InvalidRequest\",\"message\":\"Column 'amount' has the wrong type\"}}",
                        "InvalidRequest", "Column 'amount' has the wrong type"),
                Arguments.of(404, "{\"error\":{\"code\":\"PowerBIEntityNotFound\",\"pbi.error\":{\"code\":\"PowerBIEntityNotFound\","
                        + "\"parameters\":{},\"details\":[],\"exceptionCulprit\":1}}}", "PowerBIEntityNotFound", null),
                Arguments.of(403, "{\"Message\":\"API is not accessible for application\"}",
                        null, "API is not accessible for application"),
                Arguments.of(401, "{\"error\":{\"code\":\"PowerBINotAuthorizedException\",\"pbi.error\":{\"code\":"
                        + "\"PowerBINotAuthorizedException\",\"parameters\":{},\"details\":[],\"exceptionCulprit\":1}}}",
                        "PowerBINotAuthorizedException", null),
                Arguments.of(400, "{\"error\":{\"code\":\"FeatureDeprecatedError\",\"pbi.error\":{\"code\":\"FeatureDeprecatedError\","
                        + "\"details\":[{\"code\":\"FeatureDeprecatedMessage\",\"detail\":{\"type\":0,\"value\":"
                        + "\"Creation of streaming dataset is deprecated.\"}}],\"exceptionCulprit\":1}}}",
                        "FeatureDeprecatedError", "Creation of streaming dataset is deprecated."),
                Arguments.of(400, "Did not encounter start array token", null, null),
                Arguments.of(413, "", null, null));
    }

    @ParameterizedTest(name = "HTTP {0} {2}")
    @MethodSource("rejections")
    void clientErrorsAreRejectedWithTheParsedCodeAndMessage(int status, String body, String code, String message) {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(status)
                .withHeader("RequestId", REQUEST_ID).withBody(body)));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isEqualTo(new PostRowsResult.Rejected(status, code, message, REQUEST_ID));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {500, 502, 503, 408})
    void serverErrorsAndRequestTimeoutHaveAnUnknownOutcome(int status) {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(status).withHeader("RequestId", REQUEST_ID)));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isInstanceOfSatisfying(PostRowsResult.Unknown.class, f -> {
            assertThat(f.status()).isEqualTo(status);
            assertThat(f.requestId()).isEqualTo(REQUEST_ID);
        });
    }

    @Test
    void aSlowServiceIsAnUnknownOutcomeNotAHang() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
        PushDatasetClient impatient = newClient(URI.create(server.baseUrl() + "/v1.0/myorg"), Duration.ofMillis(200));

        PostRowsResult result = impatient.postRows(WS, DS, "invoices", rows());

        assertThat(result).isInstanceOfSatisfying(PostRowsResult.Unknown.class, f -> {
            assertThat(f.status()).isEqualTo(-1);
            assertThat(f.reason()).contains("timed out");
        });
    }

    @Test
    void noServerMeansNotSent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PushDatasetClient nowhere = newClient(URI.create("http://127.0.0.1:" + closedPort + "/v1.0/myorg"), Duration.ofSeconds(2));

        assertThat(nowhere.postRows(WS, DS, "invoices", rows())).isInstanceOfSatisfying(PostRowsResult.NotSent.class,
                f -> assertThat(f.reason()).contains("Connect"));
    }

    @Test
    void tokenExpiredGetsOneNewTokenAndOneRetry() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).withHeader("Authorization", equalTo("Bearer t1"))
                .willReturn(aResponse().withStatus(403).withBody(
                        "{\"error\":{\"code\":\"TokenExpired\",\"message\":\"Access token has expired, resubmit with a new access token\"}}")));
        server.stubFor(post(urlEqualTo(ROWS_PATH)).withHeader("Authorization", equalTo("Bearer t2"))
                .willReturn(aResponse().withStatus(200)));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isInstanceOf(PostRowsResult.Accepted.class);
        assertThat(tokens.invalidations).hasValue(1);
        server.verify(2, postRequestedFor(urlEqualTo(ROWS_PATH)));
    }

    @Test
    void tokenExpiredTwiceIsRejectedWithoutLooping() {
        server.stubFor(post(urlEqualTo(ROWS_PATH)).willReturn(aResponse().withStatus(401).withBody(
                "{\"error\":{\"code\":\"TokenExpired\",\"message\":\"Access token has expired\"}}")));

        PostRowsResult result = client.postRows(WS, DS, "invoices", rows());

        assertThat(result).isEqualTo(new PostRowsResult.Rejected(401, "TokenExpired", "Access token has expired", null));
        server.verify(2, postRequestedFor(urlEqualTo(ROWS_PATH)));
    }

    // ---- datasets and tables -----------------------------------------------------------------

    @Test
    void createsTheDatasetFromTheModel() {
        String path = "/v1.0/myorg/groups/" + WS + "/datasets?defaultRetentionPolicy=None";
        server.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(201).withHeader("RequestId", REQUEST_ID)
                .withBody("{\"id\":\"new-ds\",\"name\":\"FreshBooks\",\"defaultRetentionPolicy\":\"None\"}")));

        DatasetInfo created = client.createDataset(WS, DatasetModel.freshBooks("FreshBooks"), RetentionPolicy.NONE);

        assertThat(created.id()).isEqualTo("new-ds");
        server.verify(postRequestedFor(urlEqualTo(path))
                .withRequestBody(matchingJsonPath("$.name", equalTo("FreshBooks")))
                .withRequestBody(matchingJsonPath("$.defaultMode", equalTo("Push")))
                .withRequestBody(matchingJsonPath("$.tables[0].name", equalTo("invoices")))
                .withRequestBody(matchingJsonPath("$.relationships[0].toTable", equalTo("clients"))));
    }

    @Test
    void acceptedCreationWithoutBodyIsFoundByName() {
        server.stubFor(post(urlEqualTo("/v1.0/myorg/groups/" + WS + "/datasets?defaultRetentionPolicy=None"))
                .willReturn(aResponse().withStatus(202)));
        server.stubFor(get(urlEqualTo("/v1.0/myorg/groups/" + WS + "/datasets")).willReturn(aResponse().withStatus(200)
                .withBody("{\"value\":[{\"id\":\"ds-202\",\"name\":\"FreshBooks\",\"addRowsAPIEnabled\":true}]}")));

        assertThat(client.createDataset(WS, DatasetModel.freshBooks("FreshBooks"), RetentionPolicy.NONE).id())
                .isEqualTo("ds-202");
    }

    @Test
    void findsTheOldestOfDuplicateNames() {
        server.stubFor(get(urlEqualTo("/v1.0/myorg/groups/" + WS + "/datasets")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true")
                .withBody("{\"@odata.context\":\"x\",\"value\":["
                        + "{\"id\":\"young\",\"name\":\"FreshBooks\",\"addRowsAPIEnabled\":true,\"createdDate\":\"2025-02-01T00:00:00.000Z\"},"
                        + "{\"id\":\"other\",\"name\":\"Sales\",\"createdDate\":\"2020-01-01T00:00:00.000Z\"},"
                        + "{\"id\":\"old\",\"name\":\"FreshBooks\",\"addRowsAPIEnabled\":true,\"createdDate\":\"2025-01-01T00:00:00.000Z\"}]}")));

        assertThat(client.findDatasetByName(WS, "FreshBooks")).get().extracting(DatasetInfo::id).isEqualTo("old");
        assertThat(client.findDatasetsByName(WS, "FreshBooks")).extracting(DatasetInfo::id).containsExactly("old", "young");
        assertThat(client.findDatasetByName(WS, "Nope")).isEmpty();
        assertThat(client.listDatasets(WS)).hasSize(3);
    }

    @Test
    void getTablesReadsNamesAndColumnsWhenGiven() {
        server.stubFor(get(urlEqualTo("/v1.0/myorg/groups/" + WS + "/datasets/" + DS + "/tables")).willReturn(aResponse()
                .withStatus(200).withBody("{\"value\":[{\"name\":\"invoices\"},"
                        + "{\"name\":\"clients\",\"columns\":[{\"name\":\"tenant\",\"dataType\":\"String\"}]}]}")));

        List<TableInfo> tables = client.getTables(WS, DS);

        assertThat(tables).containsExactly(TableInfo.nameOnly("invoices"), new TableInfo("clients",
                java.util.Optional.of(List.of(new TableInfo.ColumnInfo("tenant", "String")))));
    }

    @Test
    void putTableSendsTheFullTable() {
        String path = "/v1.0/myorg/groups/" + WS + "/datasets/" + DS + "/tables/clients";
        server.stubFor(put(urlEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"name\":\"clients\"}")));

        client.putTable(WS, DS, DatasetModel.CLIENTS);

        server.verify(putRequestedFor(urlEqualTo(path))
                .withRequestBody(matchingJsonPath("$.name", equalTo("clients")))
                .withRequestBody(matchingJsonPath("$.columns[0].name", equalTo("tenant")))
                .withRequestBody(matchingJsonPath("$.measures[0].expression", equalTo("SUM(clients[sign])"))));
    }

    @Test
    void tableNamesAreEncodedInPaths() {
        String path = "/v1.0/myorg/groups/" + WS + "/datasets/" + DS + "/tables/my%20table%23%401/rows";
        server.stubFor(delete(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));

        client.deleteRows(WS, DS, "my table#@1");

        server.verify(deleteRequestedFor(urlEqualTo(path)));
    }

    @Test
    void deleteDatasetAndErrorsOfOtherCalls() {
        String path = "/v1.0/myorg/groups/" + WS + "/datasets/" + DS;
        server.stubFor(delete(urlEqualTo(path)).willReturn(aResponse().withStatus(404).withHeader("RequestId", REQUEST_ID)
                .withBody("{\"error\":{\"code\":\"PowerBIEntityNotFound\",\"pbi.error\":{\"code\":\"PowerBIEntityNotFound\"}}}")));

        assertThatThrownBy(() -> client.deleteDataset(WS, DS))
                .isInstanceOfSatisfying(PowerBiApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("PowerBIEntityNotFound");
                    assertThat(e.requestId()).isEqualTo(REQUEST_ID);
                    assertThat(e.retryable()).isFalse();
                });
    }
}
