package io.mlconnector.sim.powerbi;

import static io.mlconnector.sim.powerbi.SimulatorPair.APP;
import static io.mlconnector.sim.powerbi.SimulatorPair.WORKSPACE;
import static io.mlconnector.sim.powerbi.SimulatorPair.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.entra.RegisteredApp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The Power BI simulator over real HTTP, with tokens from the Entra simulator and a clock moved by hand. */
class PowerBiSimulatorIT {
    static final String DATASET = """
            {"name":"ConnectorEvents","defaultMode":"Push","tables":[
              {"name":"Events","columns":[{"name":"Id","dataType":"Int64"},{"name":"Source","dataType":"String"},
                 {"name":"Amount","dataType":"Double"}],
               "measures":[{"name":"Total","expression":"SUM(Events[Amount])"}]},
              {"name":"Sources","columns":[{"name":"Source","dataType":"String"}]}],
             "relationships":[{"name":"ev-src","fromTable":"Events","fromColumn":"Source","toTable":"Sources",
               "toColumn":"Source"}]}""";

    private SimulatorPair sims = new SimulatorPair();

    @AfterEach
    void stop() {
        sims.close();
    }

    private void restartWith(PushLimits limits, PowerBiSettings settings) {
        sims.close();
        sims = new SimulatorPair(limits, settings);
    }

    private static String rows(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "{\"Id\":" + i + ",\"Source\":\"s" + i + "\",\"Amount\":1.5}")
                .collect(Collectors.joining(",", "{\"rows\":[", "]}"));
    }

    private static void assertInvalidRequest(HttpResponse<String> response, String message) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").get("code").asString()).isEqualTo("InvalidRequest");
        assertThat(json(response).get("error").get("message").asString()).isEqualTo(message);
    }

    private static void assertPbiError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode error = json(response).get("error");
        assertThat(error.get("code").asString()).isEqualTo(code);
        assertThat(error.get("pbi.error").get("code").asString()).isEqualTo(code);
        assertThat(error.get("pbi.error").get("exceptionCulprit").asInt()).isEqualTo(1);
    }

    // ---- datasets and tables ----

    @Test
    void createsListsGetsAndDeletesADataset() {
        String token = sims.token();
        HttpResponse<String> created = sims.call("POST", sims.group("/datasets?defaultRetentionPolicy=basicFIFO"), token, DATASET);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("RequestId")).isPresent();
        JsonNode body = json(created);
        String id = body.get("id").asString();
        assertThat(body.get("@odata.context").asString())
                .isEqualTo(sims.powerBi.apiBaseUrl() + "/groups/" + WORKSPACE + "/$metadata#datasets/$entity");
        assertThat(body.get("name").asString()).isEqualTo("ConnectorEvents");
        assertThat(body.get("defaultRetentionPolicy").asString()).isEqualTo("basicFIFO");

        HttpResponse<String> list = sims.call("GET", sims.group("/datasets"), token, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json; odata.metadata=minimal");
        JsonNode listed = json(list).get("value").get(0);
        assertThat(listed.get("id").asString()).isEqualTo(id);
        assertThat(listed.get("addRowsAPIEnabled").asBoolean()).isTrue();
        assertThat(listed.get("isRefreshable").asBoolean()).isFalse();
        assertThat(listed.get("createdDate").asString()).isEqualTo("2026-03-01T10:00:00Z");

        assertThat(json(sims.call("GET", sims.group("/datasets/" + id), token, null)).get("name").asString())
                .isEqualTo("ConnectorEvents");
        JsonNode tables = json(sims.call("GET", sims.group("/datasets/" + id + "/tables"), token, null)).get("value");
        assertThat(tables.toString()).isEqualTo("[{\"name\":\"Events\"},{\"name\":\"Sources\"}]"); // names only (§2.5)

        assertThat(sims.call("DELETE", sims.group("/datasets/" + id), token, null).statusCode()).isEqualTo(200);
        assertPbiError(sims.call("GET", sims.group("/datasets/" + id), token, null), 404, "PowerBIEntityNotFound");
    }

    @Test
    void datasetNamesAreNotUniqueAndRetentionDefaultsToNone() {
        String token = sims.token();
        HttpResponse<String> first = sims.call("POST", sims.group("/datasets"), token, DATASET);
        HttpResponse<String> second = sims.call("POST", sims.group("/datasets"), token, DATASET);

        assertThat(json(first).get("defaultRetentionPolicy").asString()).isEqualTo("None");
        assertThat(json(second).get("id").asString()).isNotEqualTo(json(first).get("id").asString());
        assertThat(json(sims.call("GET", sims.group("/datasets"), token, null)).get("value").size()).isEqualTo(2);
    }

    /** Retired creation (§2.2, §8): POST datasets is 403 FeatureDeprecatedError; a dataset made elsewhere still works. */
    @Test
    void creationSwitchedOffIs403FeatureDeprecatedErrorAndExistingDatasetsStillTakeRows() {
        String token = sims.token();
        sims.powerBi.settings(sims.powerBi.settings().withDatasetCreation(false));

        HttpResponse<String> refused = sims.call("POST", sims.group("/datasets"), token, DATASET);

        assertPbiError(refused, 403, "FeatureDeprecatedError");
        JsonNode details = json(refused).get("error").get("pbi.error").get("details");
        assertThat(details.get(0).get("code").asString()).isEqualTo("LearnMoreLink");
        assertThat(details.get(1).get("code").asString()).isEqualTo("FeatureDeprecatedMessage");
        assertThat(details.get(1).get("detail").get("value").asString())
                .isEqualTo("Creation of streaming dataset is deprecated. We recommend exploring Real-Time Intelligence in Microsoft Fabric.");
        assertThat(sims.powerBi.datasets()).isEmpty();

        String made = sims.powerBi.store().createDatasetElsewhere(APP.clientId(), WORKSPACE, io.mlconnector.sim.common.Json.MAPPER.readTree(DATASET), null).id();
        assertThat(sims.call("POST", sims.group("/datasets/" + made + "/tables/Events/rows"), token, rows(0, 3))
                .statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.rows(made, "Events")).hasSize(3);

        sims.powerBi.settings(sims.powerBi.settings().withDatasetCreation(true));
        assertThat(sims.call("POST", sims.group("/datasets"), token, DATASET).statusCode()).isEqualTo(201);
    }

    @Test
    void refusesAnUnknownRetentionPolicyAndAnInvalidDefinition() {
        String token = sims.token();
        assertInvalidRequest(sims.call("POST", sims.group("/datasets?defaultRetentionPolicy=basicfifo"), token, DATASET),
                "defaultRetentionPolicy 'basicfifo' is not one of None, basicFIFO.");
        assertInvalidRequest(sims.call("POST", sims.group("/datasets"), token, DATASET.replace("\"toTable\":\"Sources\"",
                "\"toTable\":\"Nope\"")), "Relationship 'ev-src' refers to table 'Nope', which is not in the dataset.");
        assertThat(sims.powerBi.datasets()).isEmpty();
    }

    @Test
    void unknownTableIs404ItemNotFound() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);

        HttpResponse<String> response = sims.postRows(token, id, "Nope", rows(0, 1));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").get("code").asString()).isEqualTo("ItemNotFound");
        assertThat(sims.call("DELETE", sims.group("/datasets/" + id + "/tables/Nope/rows"), token, null).statusCode()).isEqualTo(404);
        assertThat(sims.call("PUT", sims.group("/datasets/" + id + "/tables/Nope"), token,
                "{\"name\":\"Nope\",\"columns\":[{\"name\":\"c\",\"dataType\":\"Int64\"}]}").statusCode()).isEqualTo(404);
        assertPbiError(sims.postRows(token, "no-such-dataset", "Events", rows(0, 1)), 404, "PowerBIEntityNotFound");
    }

    // ---- authentication and authorization ----

    @Test
    void missingOrGarbageTokenIs401WithEmptyBody() {
        HttpResponse<String> missing = sims.call("GET", sims.group("/datasets"), null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).isEmpty();
        assertThat(missing.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer ");
        assertThat(sims.call("GET", sims.group("/datasets"), "garbage", null).statusCode()).isEqualTo(401);
    }

    @Test
    void expiredTokenIs403TokenExpiredOr401BySwitch() {
        String token = sims.token();
        sims.clock.advance(Duration.ofSeconds(3599));

        HttpResponse<String> expired = sims.call("GET", sims.group("/datasets"), token, null);

        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(json(expired).get("error").get("code").asString()).isEqualTo("TokenExpired");
        assertThat(json(expired).get("error").get("message").asString())
                .isEqualTo("Access token has expired, resubmit with a new access token");
        sims.powerBi.settings(PowerBiSettings.STRICT.withExpiredTokenStatus(401));
        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(401);
        assertThat(sims.call("GET", sims.group("/datasets"), sims.token(), null).statusCode()).isEqualTo(200);
    }

    @Test
    void myWorkspaceIsNotAccessibleForApplications() {
        HttpResponse<String> response = sims.call("GET", sims.powerBi.apiBaseUrl() + "/datasets", sims.token(), null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"Message\":\"API is not accessible for application\"}");
        assertThat(sims.call("POST", sims.powerBi.apiBaseUrl() + "/datasets/x/tables/T/rows", sims.token(), "{}")
                .statusCode()).isEqualTo(403);
    }

    @Test
    void nonMemberIs401PowerBINotAuthorizedExceptionOr403Or404BySwitch() {
        RegisteredApp stranger = RegisteredApp.of(APP.tenantId(), "44444444-4444-4444-4444-444444444444", "s3", "stranger");
        sims.entra.registerApp(stranger);
        String token = sims.token(stranger);

        HttpResponse<String> response = sims.call("GET", sims.group("/datasets"), token, null);

        assertThat(response.body()).isEqualTo("{\"error\":{\"code\":\"PowerBINotAuthorizedException\",\"pbi.error\":"
                + "{\"code\":\"PowerBINotAuthorizedException\",\"parameters\":{},\"details\":[],\"exceptionCulprit\":1}}}");
        assertThat(response.statusCode()).isEqualTo(401);
        sims.powerBi.settings(PowerBiSettings.STRICT.withNonMemberStatus(403));
        assertPbiError(sims.call("GET", sims.group("/datasets"), token, null), 403, "PowerBINotAuthorizedException");
        sims.powerBi.settings(PowerBiSettings.STRICT.withNonMemberStatus(404));
        assertPbiError(sims.call("GET", sims.group("/datasets"), token, null), 404, "PowerBIEntityNotFound");
        // an unknown workspace looks the same as one the caller is not in
        sims.powerBi.settings(PowerBiSettings.STRICT);
        assertPbiError(sims.call("GET", sims.powerBi.apiBaseUrl() + "/groups/55555555-5555-5555-5555-555555555555/datasets",
                sims.token(), null), 401, "PowerBINotAuthorizedException");
    }

    @Test
    void viewerMayReadButNotWrite() {
        String id = sims.createDataset(sims.token(), "None", DATASET);
        RegisteredApp viewer = RegisteredApp.of(APP.tenantId(), "55555555-5555-5555-5555-555555555555", "v", "viewer");
        sims.entra.registerApp(viewer);
        sims.powerBi.addMember(WORKSPACE, viewer.clientId(), WorkspaceRole.VIEWER);
        String token = sims.token(viewer);

        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(200);
        assertThat(sims.call("GET", sims.group("/datasets/" + id + "/tables"), token, null).statusCode()).isEqualTo(200);
        assertPbiError(sims.call("POST", sims.group("/datasets"), token, DATASET), 403, "PowerBINotAuthorizedException");
        assertPbiError(sims.postRows(token, id, "Events", rows(0, 1)), 403, "PowerBINotAuthorizedException");
        assertPbiError(sims.call("DELETE", sims.group("/datasets/" + id + "/tables/Events/rows"), token, null), 403,
                "PowerBINotAuthorizedException");
        assertThat(sims.powerBi.rows(id, "Events")).isEmpty();
    }

    @Test
    void contributorMayPushRows() {
        String id = sims.createDataset(sims.token(), "None", DATASET);
        RegisteredApp contributor = RegisteredApp.of(APP.tenantId(), "66666666-6666-6666-6666-666666666666", "c", "contrib");
        sims.entra.registerApp(contributor);
        sims.powerBi.addMember(WORKSPACE, contributor.clientId(), WorkspaceRole.CONTRIBUTOR);

        assertThat(sims.postRows(sims.token(contributor), id, "Events", rows(0, 2)).statusCode()).isEqualTo(200);
    }

    // ---- rows ----

    @Test
    void postRowsAppendsAndRecordsTheRequest() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);

        HttpResponse<String> response = sims.postRows(token, id, "Events",
                "{\"rows\":[{\"Id\":1,\"Source\":\"crm\",\"Amount\":12.5},{\"Id\":2,\"Source\":null}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(sims.powerBi.rows(id, "Events")).containsExactly(
                Map.of("Id", 1L, "Source", "crm", "Amount", 12.5), Map.of("Id", 2L));
        String requestId = response.headers().firstValue("RequestId").orElseThrow();
        assertThat(sims.powerBi.storedRows(id, "Events")).extracting(StoredRow::sequence, StoredRow::requestId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, requestId), org.assertj.core.groups.Tuple.tuple(2L, requestId));
        assertThat(sims.powerBi.postRowsLog()).containsExactly(new PostRowsRecord(sims.clock.instant(), requestId,
                APP.clientId(), WORKSPACE, id, "Events", 200, 2, null, true, null, List.of(), null));
    }

    @Test
    void anInvalidRowWritesNothingOfThatRequest() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.postRows(token, id, "Events", rows(0, 2));

        assertInvalidRequest(sims.postRows(token, id, "Events", "{\"rows\":[{\"Id\":10},{\"Id\":11,\"Colour\":\"red\"}]}"),
                "Row 1: column 'Colour' does not exist in table 'Events'.");
        assertInvalidRequest(sims.postRows(token, id, "Events", "{\"rows\":[{\"Id\":10},{\"Id\":\"eleven\"}]}"),
                "Row 1, column 'Id' (Int64): expected a JSON integer, got \"eleven\".");
        assertInvalidRequest(sims.postRows(token, id, "Events", "{\"rows\":[{\"Source\":\"" + "x".repeat(4001) + "\"}]}"),
                "Row 0, column 'Source' (String): the string has 4001 characters; at most 4000 are allowed.");
        assertInvalidRequest(sims.postRows(token, id, "Events", rows(100, 10_001)),
                "The request has 10001 rows; at most 10000 rows are allowed per request.");
        assertInvalidRequest(sims.postRows(token, id, "Events", "[{\"Id\":1}]"),
                "Did not encounter start array token or start object token for rowset");

        assertThat(sims.powerBi.rows(id, "Events")).extracting(r -> r.get("Id")).containsExactly(0L, 1L);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::status).containsExactly(200, 400, 400, 400, 400, 400);
    }

    @Test
    void lenientModeIgnoresUnknownColumns() {
        restartWith(PushLimits.DOCUMENTED, PowerBiSettings.STRICT.withLenientRows(true));
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);

        assertThat(sims.postRows(token, id, "Events", "{\"rows\":[{\"Id\":1,\"Colour\":\"red\"}]}").statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.rows(id, "Events")).containsExactly(Map.of("Id", 1L));
    }

    @Test
    void deleteRowsEmptiesTheTable() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.postRows(token, id, "Events", rows(0, 3));

        HttpResponse<String> response = sims.call("DELETE", sims.group("/datasets/" + id + "/tables/Events/rows"), token, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.rows(id, "Events")).isEmpty();
    }

    @Test
    void basicFifoKeepsTheLatestRows() {
        restartWith(PushLimits.DOCUMENTED.withTableRowLimits(250_000, 5, 5_000_000), PowerBiSettings.STRICT);
        String token = sims.token();
        String id = sims.createDataset(token, "basicFIFO", DATASET);

        sims.postRows(token, id, "Events", rows(0, 3));
        sims.postRows(token, id, "Events", rows(3, 4));

        assertThat(sims.powerBi.storedRows(id, "Events")).extracting(StoredRow::sequence).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(sims.powerBi.rows(id, "Events")).extracting(r -> r.get("Id")).containsExactly(2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void noneRetentionRefusesThePostThatWouldExceedTheTableCap() {
        restartWith(PushLimits.DOCUMENTED.withTableRowLimits(250_000, 200_000, 5), PowerBiSettings.STRICT);
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.postRows(token, id, "Events", rows(0, 3));

        assertInvalidRequest(sims.postRows(token, id, "Events", rows(3, 3)), "Table 'Events' holds 3 rows; adding 3 would"
                + " exceed the limit of 5 rows for a dataset without retention policy.");
        assertThat(sims.powerBi.rows(id, "Events")).hasSize(3);
        assertThat(sims.postRows(token, id, "Events", rows(3, 2)).statusCode()).isEqualTo(200);
    }

    // ---- PUT table (§2.6) ----

    @Test
    void putTableReplacesColumnsAndKeepsRowsWithoutRemovedColumns() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.postRows(token, id, "Events", rows(0, 2));
        String newSchema = "{\"name\":\"Events\",\"columns\":[{\"name\":\"Id\",\"dataType\":\"Int64\"},"
                + "{\"name\":\"Source\",\"dataType\":\"String\"},{\"name\":\"Note\",\"dataType\":\"String\"}],"
                + "\"measures\":[{\"name\":\"Count\",\"expression\":\"COUNTROWS(Events)\"}]}";

        HttpResponse<String> response = sims.call("PUT", sims.group("/datasets/" + id + "/tables/Events"), token, newSchema);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("name").asString()).isEqualTo("Events");
        assertThat(json(response).get("columns").size()).isEqualTo(3);
        assertThat(sims.powerBi.rows(id, "Events")).containsExactly(Map.of("Id", 0L, "Source", "s0"), Map.of("Id", 1L, "Source", "s1"));
        assertInvalidRequest(sims.postRows(token, id, "Events", rows(2, 1)), "Row 0: column 'Amount' does not exist in table 'Events'.");
        assertThat(sims.postRows(token, id, "Events", "{\"rows\":[{\"Id\":9,\"Note\":\"new\"}]}").statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.store().definition(id).orElseThrow().table("Events").orElseThrow().measures())
                .extracting(DatasetDefinition.Measure::name).containsExactly("Count");
    }

    @Test
    void putTableRefusesANameMismatchARetypeAndRemovingARelationshipColumn() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        String url = sims.group("/datasets/" + id + "/tables/Events");

        assertInvalidRequest(sims.call("PUT", url, token, "{\"name\":\"Other\",\"columns\":[{\"name\":\"Id\",\"dataType\":\"Int64\"}]}"),
                "The table name in the body ('Other') must equal the table name in the path ('Events').");
        assertInvalidRequest(sims.call("PUT", url, token, "{\"name\":\"Events\",\"columns\":[{\"name\":\"Id\",\"dataType\":\"String\"},"
                + "{\"name\":\"Source\",\"dataType\":\"String\"}]}"),
                "Column 'Id' of table 'Events' is Int64; changing it to String is not supported.");
        assertInvalidRequest(sims.call("PUT", url, token, "{\"name\":\"Events\",\"columns\":[{\"name\":\"Id\",\"dataType\":\"Int64\"}]}"),
                "Column 'Source' of table 'Events' is used by relationship 'ev-src' and cannot be removed.");
    }

    // ---- quotas (§4, §5) ----

    @Test
    void the121stPostInAMinuteIs429WithTheExactRetryAfter() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        for (int i = 0; i < 120; i++) {
            assertThat(sims.postRows(token, id, "Events", rows(i, 1)).statusCode()).isEqualTo(200);
            sims.clock.advance(Duration.ofMillis(100)); // 120 posts over 12 s
        }

        HttpResponse<String> throttled = sims.postRows(token, id, "Events", rows(500, 1));

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("48"); // first post at T0 leaves at T0 + 60 s
        assertThat(json(throttled).get("error").get("code").asString()).isEqualTo("TooManyRequests");
        assertThat(sims.powerBi.rows(id, "Events")).hasSize(120);

        sims.clock.advance(Duration.ofSeconds(47));
        assertThat(sims.postRows(token, id, "Events", rows(500, 1)).headers().firstValue("Retry-After")).hasValue("1");
        sims.clock.advance(Duration.ofSeconds(1));
        assertThat(sims.postRows(token, id, "Events", rows(500, 1)).statusCode()).isEqualTo(200);

        List<PostRowsRecord> refused = sims.powerBi.postRowsLog().stream().filter(r -> r.status() == 429).toList();
        assertThat(refused).extracting(PostRowsRecord::retryAfterSeconds).containsExactly(48, 1);
    }

    @Test
    void rowsPerHourQuotaIs429UntilTheOldestRowsLeaveTheHour() {
        restartWith(PushLimits.DOCUMENTED.withRowsPerHour(10), PowerBiSettings.STRICT);
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.postRows(token, id, "Events", rows(0, 6));
        sims.clock.advance(Duration.ofMinutes(10));
        sims.postRows(token, id, "Events", rows(6, 4));
        sims.clock.advance(Duration.ofMinutes(5));

        HttpResponse<String> throttled = sims.postRows(token, id, "Events", rows(10, 1));

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue(String.valueOf(45 * 60));
        assertThat(json(throttled).get("error").get("message").asString())
                .startsWith("You are over your rows per hour limit for this dataset.");
        sims.clock.advance(Duration.ofMinutes(45)); // the first 6 rows leave the hour; the token has expired too
        assertThat(sims.postRows(sims.token(), id, "Events", rows(10, 6)).statusCode()).isEqualTo(200);
    }

    @Test
    void aPostLargerThanTheWholeHourlyRowsBudgetIs400NotA429ThatCanNeverBeMet() {
        restartWith(PushLimits.DOCUMENTED.withRowsPerHour(10), PowerBiSettings.STRICT);
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);

        HttpResponse<String> tooBig = sims.postRows(token, id, "Events", rows(0, 11));

        assertInvalidRequest(tooBig, "The request has 11 rows, more than the 10 rows per hour allowed for this"
                + " dataset, so it can never be accepted; split it into smaller requests.");
        assertThat(tooBig.headers().firstValue("Retry-After")).isEmpty();
        assertThat(sims.powerBi.rows(id, "Events")).isEmpty();
        // Also when the hour already holds rows (where a 429 would have named a wait that frees too little).
        assertThat(sims.postRows(token, id, "Events", rows(0, 4)).statusCode()).isEqualTo(200);
        assertThat(sims.postRows(token, id, "Events", rows(4, 11)).statusCode()).isEqualTo(400);
        assertThat(sims.postRows(token, id, "Events", rows(4, 10)).statusCode()).as("fits later: 429").isEqualTo(429);
        assertThat(sims.powerBi.rows(id, "Events")).hasSize(4);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::status).containsExactly(400, 200, 400, 429);
    }

    @Test
    void largeTablesAllowOnly120PostsPerHour() {
        PushLimits limits = new PushLimits(75, 75, 75, 10_000, 16_000_000L, 4_000, 120, 1_000_000L, 5,
                3, 4, 200_000L, 5_000_000L); // 3 posts/hour once a table holds 4 rows
        restartWith(limits, PowerBiSettings.STRICT);
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        for (int i = 0; i < 3; i++) {
            assertThat(sims.postRows(token, id, "Events", rows(i * 2, 2)).statusCode()).isEqualTo(200);
            sims.clock.advance(Duration.ofMinutes(5));
        }

        HttpResponse<String> throttled = sims.postRows(token, id, "Events", rows(100, 1));

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue(String.valueOf(45 * 60));
        assertThat(sims.postRows(token, id, "Sources", "{\"rows\":[{\"Source\":\"x\"}]}").statusCode())
                .as("the limit is per dataset").isEqualTo(429);
    }

    @Test
    void aValueTwiceOnTheOneSideOfARelationshipIsRefusedWithTheEnginesMessageUnlessSwitchedOff() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        assertThat(sims.postRows(token, id, "Sources", "{\"rows\":[{\"Source\":\"a\"},{\"Source\":\"b\"}]}").statusCode())
                .isEqualTo(200);
        String duplicate = "Column 'Source' in Table 'Sources' contains a duplicate value 'a' and this is not allowed for"
                + " columns on the one side of a many-to-one relationship or for columns that are used as the primary"
                + " key of a table.";
        assertInvalidRequest(sims.postRows(token, id, "Sources", "{\"rows\":[{\"Source\":\"a\"}]}"), duplicate);
        assertInvalidRequest(sims.postRows(token, id, "Sources", "{\"rows\":[{\"Source\":\"c\"},{\"Source\":\"c\"}]}"),
                duplicate.replace("'a'", "'c'"));
        assertThat(sims.postRows(token, id, "Events", rows(0, 1)).statusCode()).as("the many side may repeat").isEqualTo(200);
        assertThat(sims.postRows(token, id, "Events", rows(0, 1)).statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.store().storedRows(id, "Sources")).hasSize(2);

        sims.powerBi.settings(sims.powerBi.settings().withStrictRelationships(false));
        assertThat(sims.postRows(token, id, "Sources", "{\"rows\":[{\"Source\":\"a\"}]}").statusCode()).isEqualTo(200);
    }

    @Test
    void aSixthPendingPostIs429() throws Exception {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        CountDownLatch release = new CountDownLatch(1);
        sims.faults.add(FaultInjector.Rule.hold(release).onPathsContaining("/rows"));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(sims.group("/datasets/" + id + "/tables/Events/rows")))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(rows(i, 1))).build();
            held.add(sims.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sims.powerBi.store().pendingPosts(id) == 5);

        HttpResponse<String> sixth = sims.postRows(token, id, "Events", rows(5, 1));

        assertThat(sixth.statusCode()).isEqualTo(429);
        assertThat(sixth.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(json(sixth).get("error").get("message").asString()).contains("5 pending POST rows requests");
        release.countDown();
        for (CompletableFuture<HttpResponse<String>> response : held) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        assertThat(sims.powerBi.store().pendingPosts(id)).isZero();
        assertThat(sims.powerBi.rows(id, "Events")).hasSize(5);
    }

    // ---- fault injection ----

    @Test
    void injectedFaultsAnswerBeforeAnythingIsWritten() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.faults.add(FaultInjector.Rule.serverError(1.0, 503).onPathsContaining("/rows"));

        HttpResponse<String> failed = sims.postRows(token, id, "Events", rows(0, 1));

        assertThat(failed.statusCode()).isEqualTo(503);
        sims.faults.clear();
        sims.faults.add(FaultInjector.Rule.throttle(1.0, 17));
        HttpResponse<String> throttled = sims.postRows(token, id, "Events", rows(0, 1));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("17");
        sims.faults.clear();
        assertThat(sims.postRows(token, id, "Events", rows(0, 1)).statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.rows(id, "Events")).hasSize(1);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::status).containsExactly(503, 429, 200);
    }

    @Test
    void faultsCanBeAddedListedAndClearedOverHttpAndTheControlApiIsNeverFaulted() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        String control = sims.powerBi.baseUrl() + "/sim/faults";

        HttpResponse<String> added = sims.call("POST", control, null, """
                {"kind":"THROTTLE","fromSeconds":0,"untilSeconds":60,"pathContains":"/rows","retryAfterSeconds":9}""");
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(json(added).get("from").asString()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(json(added).get("until").asString()).isEqualTo("2026-03-01T10:01:00Z");
        assertThat(sims.call("POST", control, null, "{\"kind\":\"SERVER_ERROR\",\"status\":502}").statusCode())
                .isEqualTo(201); // every path, including /sim/faults if it were faultable

        JsonNode listed = json(sims.call("GET", control, null, null));
        assertThat(listed.get("now").asString()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(listed.get("rules").size()).isEqualTo(2);
        assertThat(listed.get("rules").get(0).get("retryAfterSeconds").asInt()).isEqualTo(9);
        assertThat(listed.get("rules").get(1).get("status").asInt()).isEqualTo(502);
        HttpResponse<String> throttled = sims.postRows(token, id, "Events", rows(0, 1));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("9");
        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(502);
        assertThat(sims.call("GET", sims.powerBi.baseUrl() + "/sim/datasets", null, null).statusCode()).isEqualTo(200);
        assertThat(sims.call("GET", sims.powerBi.baseUrl() + "/sim", null, null).body())
                .contains("2 rule(s) active", "Fault control API", "retryAfterSeconds");

        HttpResponse<String> bad = sims.call("POST", control, null, "{\"kind\":\"LATENCY\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("message").asString()).isEqualTo("A LATENCY rule needs latencyMillis.");

        HttpResponse<String> cleared = sims.call("DELETE", control, null, null);
        assertThat(json(cleared).get("cleared").asInt()).isEqualTo(2);
        assertThat(json(sims.call("GET", control, null, null)).get("rules").size()).isZero();
        assertThat(sims.postRows(token, id, "Events", rows(0, 1)).statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.faults().injected()).extracting(FaultInjector.Injected::kind)
                .containsExactly(FaultInjector.Kind.THROTTLE, FaultInjector.Kind.SERVER_ERROR);
    }

    @Test
    void aWindowGivenOverHttpFollowsThePowerBiClock() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.call("POST", sims.powerBi.baseUrl() + "/sim/faults", null,
                "{\"kind\":\"SERVER_ERROR\",\"status\":503,\"fromSeconds\":30,\"untilSeconds\":90}");

        assertThat(sims.postRows(token, id, "Events", rows(0, 1)).statusCode()).isEqualTo(200);
        sims.clock.advance(Duration.ofSeconds(30));
        assertThat(sims.postRows(token, id, "Events", rows(1, 1)).statusCode()).isEqualTo(503);
        sims.clock.advance(Duration.ofSeconds(60));
        assertThat(sims.postRows(token, id, "Events", rows(2, 1)).statusCode()).isEqualTo(200);
    }

    // ---- the /sim views ----

    @Test
    void simViewsShowDatasetsRowCountsAndRows() {
        String token = sims.token();
        String id = sims.createDataset(token, "None", DATASET);
        sims.postRows(token, id, "Events", rows(0, 5));

        JsonNode datasets = json(sims.call("GET", sims.powerBi.baseUrl() + "/sim/datasets", null, null));
        assertThat(datasets.get(0).get("id").asString()).isEqualTo(id);
        assertThat(datasets.get(0).get("tables").get(0).get("rowCount").asInt()).isEqualTo(5);
        assertThat(datasets.get(0).get("tables").get(0).get("columns").get(0).get("dataType").asString()).isEqualTo("Int64");

        JsonNode page = json(sims.call("GET", sims.powerBi.baseUrl() + "/sim/datasets/" + id + "/tables/Events/rows?offset=1&limit=2", null, null));
        assertThat(page.get("total").asInt()).isEqualTo(5);
        assertThat(page.get("rows").size()).isEqualTo(2);
        assertThat(page.get("rows").get(0).get("values").get("Id").asLong()).isEqualTo(1);
        assertThat(page.get("rows").get(0).get("sequence").asLong()).isEqualTo(2);

        HttpResponse<String> html = sims.call("GET", sims.powerBi.baseUrl() + "/sim", null, null);
        assertThat(html.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(html.body()).contains("ConnectorEvents", "/sim/datasets/" + id + "/tables/Events/rows");
    }
}
