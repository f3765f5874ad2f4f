package io.mlconnector.sim.powerbi;

import static io.mlconnector.sim.powerbi.SimulatorPair.APP;
import static io.mlconnector.sim.powerbi.SimulatorPair.WORKSPACE;
import static io.mlconnector.sim.powerbi.SimulatorPair.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.entra.RegisteredApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the connector's "exactly once at the Power BI end" relies on (reference §8), over real HTTP: push sequence
 * numbers, Execute Queries, faults that lose the answer of an applied POST, and the POST log.
 */
class ExactlyOnceSupportIT {
    static final String MODEL = """
            {"name":"Books","defaultMode":"Push","tables":[{"name":"invoices","columns":[
              {"name":"batch_id","dataType":"String"},{"name":"tenant","dataType":"String"},
              {"name":"amount","dataType":"Decimal"},{"name":"sign","dataType":"Int64"}]}]}""";

    private final SimulatorPair sims = new SimulatorPair();
    private final String token = sims.token();
    private final String id = sims.createDataset(token, "None", MODEL);

    @AfterEach
    void stop() {
        sims.close();
    }

    private static String rows(String batch, int count) {
        return IntStream.range(0, count).mapToObj(i -> "{\"batch_id\":\"" + batch + "\",\"tenant\":\"T1\",\"amount\":10.5,\"sign\":1}")
                .collect(Collectors.joining(",", "{\"rows\":[", "]}"));
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(sims.group("/datasets/" + id + path)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> push(String body, Long sequenceNumber) {
        return push(token, body, sequenceNumber);
    }

    private HttpResponse<String> push(String bearer, String body, Long sequenceNumber) {
        HttpRequest.Builder request = post("/tables/invoices/rows", body).setHeader("Authorization", "Bearer " + bearer);
        if (sequenceNumber != null) {
            request.header("X-PowerBI-PushData-SequenceNumber", sequenceNumber.toString());
        }
        return sims.send(request.build());
    }

    private HttpResponse<String> sequenceNumbers() {
        return sims.call("GET", sims.group("/datasets/" + id + "/tables/invoices/sequenceNumbers"), token, null);
    }

    private HttpResponse<String> query(String dax) {
        String body = "{\"queries\":[{\"query\":" + tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(dax)
                + "}],\"serializerSettings\":{\"includeNulls\":true}}";
        return sims.call("POST", sims.group("/datasets/" + id + "/executeQueries"), token, body);
    }

    private int storedRows() {
        return sims.powerBi.rows(id, "invoices").size();
    }

    private static String errorCode(HttpResponse<String> response) {
        return json(response).get("error").get("code").asString();
    }

    // ---- push sequence numbers ----

    @Test
    void aNumberNotAboveTheKeptOneIsAnswered200AndNotApplied() {
        assertThat(json(sequenceNumbers()).get("value").size()).isZero();

        assertThat(push(rows("b1", 2), 1L).statusCode()).isEqualTo(200);
        HttpResponse<String> again = push(rows("b1", 2), 1L);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEmpty();
        assertThat(push(rows("b0", 1), 0L).statusCode()).isEqualTo(200);
        assertThat(push(rows("b2", 3), 2L).statusCode()).isEqualTo(200);
        assertThat(push(rows("b3", 1), null).statusCode()).as("no header: always applied").isEqualTo(200);

        assertThat(storedRows()).isEqualTo(6);
        JsonNode numbers = json(sequenceNumbers());
        assertThat(numbers.get("value").toString())
                .isEqualTo("[{\"clientId\":\"" + APP.clientId() + "\",\"sequenceNumber\":2}]");
        assertThat(sims.powerBi.sequenceNumbers(id, "invoices")).containsExactly(java.util.Map.entry(APP.clientId(), 2L));
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::applied, PostRowsRecord::sequenceNumber,
                PostRowsRecord::batchIds, PostRowsRecord::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(true, 1L, List.of("b1"), 200),
                org.assertj.core.groups.Tuple.tuple(false, 1L, List.of("b1"), 200),
                org.assertj.core.groups.Tuple.tuple(false, 0L, List.of("b0"), 200),
                org.assertj.core.groups.Tuple.tuple(true, 2L, List.of("b2"), 200),
                org.assertj.core.groups.Tuple.tuple(true, null, List.of("b3"), 200));
    }

    @Test
    void numbersAreKeptPerCallingApp() {
        RegisteredApp other = RegisteredApp.of(APP.tenantId(), "66666666-6666-6666-6666-666666666666", "c", "other");
        sims.entra.registerApp(other);
        sims.powerBi.addMember(WORKSPACE, other.clientId(), WorkspaceRole.CONTRIBUTOR);

        push(rows("a", 1), 7L);
        assertThat(push(sims.token(other), rows("b", 1), 7L).statusCode()).isEqualTo(200);

        assertThat(storedRows()).isEqualTo(2);
        assertThat(json(sequenceNumbers()).get("value").toString()).isEqualTo("[{\"clientId\":\"" + APP.clientId()
                + "\",\"sequenceNumber\":7},{\"clientId\":\"" + other.clientId() + "\",\"sequenceNumber\":7}]");
    }

    @Test
    void aStaleNumberIs400InvalidSequenceNumberUnderTheSwitch() {
        sims.powerBi.settings(sims.powerBi.settings().withStaleSequenceStatus(400));
        push(rows("b1", 1), 5L);

        HttpResponse<String> stale = push(rows("b1", 1), 5L);

        assertThat(stale.statusCode()).isEqualTo(400);
        assertThat(errorCode(stale)).isEqualTo("InvalidSequenceNumber");
        assertThat(storedRows()).isEqualTo(1);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::applied).containsExactly(true, false);
    }

    @Test
    void numbersSurviveDeleteRowsAndGoWithTheDataset() {
        push(rows("b1", 2), 3L);
        assertThat(sims.call("DELETE", sims.group("/datasets/" + id + "/tables/invoices/rows"), token, null).statusCode())
                .isEqualTo(200);

        assertThat(push(rows("b1", 2), 3L).statusCode()).isEqualTo(200);
        assertThat(storedRows()).isZero();
        assertThat(json(sequenceNumbers()).get("value").get(0).get("sequenceNumber").asLong()).isEqualTo(3);
        HttpResponse<String> unknownTable = sims.call("GET", sims.group("/datasets/" + id + "/tables/nope/sequenceNumbers"),
                token, null);
        assertThat(unknownTable.statusCode()).isEqualTo(404);
        assertThat(errorCode(unknownTable)).isEqualTo("ItemNotFound");
        HttpResponse<String> garbage = push(rows("b9", 1), null);
        assertThat(sims.send(post("/tables/invoices/rows", rows("b9", 1))
                .header("X-PowerBI-PushData-SequenceNumber", "four").build()).statusCode()).isEqualTo(400);
        assertThat(garbage.statusCode()).isEqualTo(200);

        sims.call("DELETE", sims.group("/datasets/" + id), token, null);
        assertThat(errorCode(sequenceNumbers())).isEqualTo("PowerBIEntityNotFound");
    }

    @Test
    void aServiceThatIgnoresNumbersAppliesEveryPostAndHasNoSequenceNumbersRoute() {
        sims.powerBi.settings(PowerBiSettings.STRICT.withSequenceNumbers(false));

        push(rows("b1", 1), 1L);
        push(rows("b1", 1), 1L);
        HttpResponse<String> garbage = sims.send(post("/tables/invoices/rows", rows("b2", 1))
                .header("X-PowerBI-PushData-SequenceNumber", "x").build());

        assertThat(garbage.statusCode()).isEqualTo(200);
        assertThat(storedRows()).isEqualTo(3);
        HttpResponse<String> numbers = sequenceNumbers();
        assertThat(numbers.statusCode()).isEqualTo(404);
        assertThat(numbers.body()).isEqualTo("{\"error\":{\"code\":\"PowerBIEntityNotFound\",\"pbi.error\":{\"code\":"
                + "\"PowerBIEntityNotFound\",\"parameters\":{},\"details\":[],\"exceptionCulprit\":1}}}");
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::applied).containsExactly(true, true, true);
    }

    // ---- Execute Queries ----

    @Test
    void countsRowsByBatchAndControlTotals() {
        push(rows("abc", 3), null);
        push(rows("def", 2), null);
        sims.send(post("/tables/invoices/rows", "{\"rows\":[{\"batch_id\":\"r\",\"tenant\":\"T2\",\"amount\":4.25,"
                + "\"sign\":-1}]}").build());

        HttpResponse<String> count = query("EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] = \"abc\")))");
        HttpResponse<String> none = query("EVALUATE ROW(\"n\", COUNTROWS(FILTER('invoices', 'invoices'[batch_id] = \"zzz\")))");
        HttpResponse<String> totals = query("EVALUATE ROW(\"n\", SUM('invoices'[sign]), \"s\", SUMX('invoices',"
                + " 'invoices'[amount] * 'invoices'[sign]))");
        HttpResponse<String> tenant = query("EVALUATE ROW(\"n\", SUMX(FILTER('invoices', 'invoices'[tenant] = \"T1\"),"
                + " 'invoices'[sign]), \"s\", SUMX(FILTER('invoices', 'invoices'[tenant] = \"T1\"), 'invoices'[amount]"
                + " * 'invoices'[sign]))");

        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(count.body()).isEqualTo("{\"results\":[{\"tables\":[{\"rows\":[{\"[n]\":3}]}]}]}");
        assertThat(none.body()).as("COUNTROWS of no rows is BLANK").isEqualTo("{\"results\":[{\"tables\":[{\"rows\":[{\"[n]\":null}]}]}]}");
        assertThat(totals.body()).isEqualTo("{\"results\":[{\"tables\":[{\"rows\":[{\"[n]\":4,\"[s]\":48.25}]}]}]}");
        assertThat(tenant.body()).isEqualTo("{\"results\":[{\"tables\":[{\"rows\":[{\"[n]\":5,\"[s]\":52.5}]}]}]}");
    }

    @Test
    void queriesOutsideTheKnownShapesAndUnknownNamesAre400() {
        HttpResponse<String> dax = query("EVALUATE 'invoices'");
        assertThat(dax.statusCode()).isEqualTo(400);
        assertThat(errorCode(dax)).isEqualTo("DatasetExecuteQueriesError");
        assertThat(json(dax).get("error").get("pbi.error").get("details").get(0).get("code").asString()).isEqualTo("DetailsMessage");
        assertThat(errorCode(query("EVALUATE ROW(\"n\", COUNTROWS('bills'))"))).isEqualTo("DatasetExecuteQueriesError");
        assertThat(query("EVALUATE ROW(\"n\", SUM('invoices'[total]))").statusCode()).isEqualTo(400);
        HttpResponse<String> two = sims.call("POST", sims.group("/datasets/" + id + "/executeQueries"), token,
                "{\"queries\":[{\"query\":\"EVALUATE ROW(\\\"n\\\", COUNTROWS('invoices'))\"},{\"query\":\"x\"}]}");
        assertThat(two.statusCode()).isEqualTo(400);
        assertThat(errorCode(two)).isEqualTo("InvalidRequest");
    }

    @Test
    void executeQueriesCanBeSwitchedOffAndHasItsOwnRateLimit() {
        String count = "EVALUATE ROW(\"n\", COUNTROWS('invoices'))";
        sims.powerBi.settings(PowerBiSettings.STRICT.withExecuteQueries(false));
        HttpResponse<String> off = query(count);
        assertThat(off.statusCode()).isEqualTo(401);
        assertThat(off.body()).contains("PowerBINotAuthorizedException", "Dataset Execute Queries REST API", "disabled");

        sims.powerBi.settings(PowerBiSettings.STRICT);
        for (int i = 0; i < 120; i++) {
            assertThat(query(count).statusCode()).isEqualTo(200);
            sims.clock.advance(Duration.ofMillis(250)); // 120 requests over 30 s
        }
        HttpResponse<String> throttled = query(count);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(push(rows("b", 1), null).statusCode()).as("POST rows has its own limits").isEqualTo(200);
        sims.clock.advance(Duration.ofSeconds(30));
        assertThat(query(count).statusCode()).isEqualTo(200);
    }

    // ---- faults that lose the answer of an applied POST, and refusals ----

    @Test
    void acceptThenDropAppliesTheRowsAndClosesTheConnectionWithoutAnAnswer() throws Exception {
        sims.faults.add(FaultInjector.Rule.acceptThenDrop().onPathsContaining("/rows").times(1));
        HttpRequest request = post("/tables/invoices/rows", rows("b1", 2))
                .header("X-PowerBI-PushData-SequenceNumber", "1").build();

        assertThatThrownBy(() -> sims.http.send(request, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

        assertThat(storedRows()).isEqualTo(2);
        assertThat(sims.powerBi.sequenceNumbers(id, "invoices")).containsEntry(APP.clientId(), 1L);
        assertThat(push(rows("b1", 2), 1L).statusCode()).as("times(1): the retry is answered").isEqualTo(200);
        assertThat(storedRows()).as("and not applied again").isEqualTo(2);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::status, PostRowsRecord::applied, PostRowsRecord::fault)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, true, "ACCEPT_THEN_DROP"),
                        org.assertj.core.groups.Tuple.tuple(200, false, null));
    }

    @Test
    void acceptThenDropGivenOverHttpWaitsForAPostRowsRequest() {
        HttpResponse<String> added = sims.call("POST", sims.powerBi.baseUrl() + "/sim/faults", null,
                "{\"kind\":\"ACCEPT_THEN_DROP\",\"pathContains\":\"/tables/invoices/\",\"times\":1}");
        assertThat(added.statusCode()).isEqualTo(201);

        assertThat(sequenceNumbers().statusCode()).as("not spent on a GET").isEqualTo(200);
        assertThatThrownBy(() -> sims.http.send(post("/tables/invoices/rows", rows("b1", 1)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(storedRows()).isEqualTo(1);
        assertThat(json(sims.call("GET", sims.powerBi.baseUrl() + "/sim/post-rows-log", null, null)).get(0).toString())
                .contains("\"status\":0", "\"applied\":true", "\"batchIds\":[\"b1\"]", "\"fault\":\"ACCEPT_THEN_DROP\"");
    }

    @Test
    void acceptThenHangAppliesTheRowsAndAnswersAfterTheClientGaveUp() {
        sims.faults.add(FaultInjector.Rule.acceptThenHang(Duration.ofMillis(1500)).onPathsContaining("/rows").times(1));
        HttpRequest request = post("/tables/invoices/rows", rows("b1", 2)).timeout(Duration.ofMillis(500))
                .header("X-PowerBI-PushData-SequenceNumber", "1").build();

        assertThatThrownBy(() -> sims.http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(storedRows()).isEqualTo(2);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::status, PostRowsRecord::applied, PostRowsRecord::fault)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(200, true, "ACCEPT_THEN_HANG"));
        assertThat(push(rows("b1", 2), 1L).statusCode()).isEqualTo(200);
        assertThat(storedRows()).isEqualTo(2);
        assertThat(sims.powerBi.store().pendingPosts(id)).as("the held answer does not hold a pending slot").isZero();
    }

    @Test
    void refusalFaultsWriteNothing() {
        sims.faults.add(FaultInjector.Rule.unauthorizedSwitch().onPathsContaining("/rows").times(1));
        sims.faults.add(FaultInjector.Rule.forbidden().onPathsContaining("/rows").times(1));
        sims.faults.add(FaultInjector.Rule.badValue().onPathsContaining("/rows").times(1));

        HttpResponse<String> unauthorized = push(rows("b1", 1), 1L);
        HttpResponse<String> forbidden = push(rows("b1", 1), 1L);
        HttpResponse<String> badValue = push(rows("b1", 1), 1L);

        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(unauthorized.body()).isEqualTo("{\"error\":{\"code\":\"ServicePrincipalIsNotAllowedByTenantAdminSwitch\","
                + "\"pbi.error\":{\"code\":\"ServicePrincipalIsNotAllowedByTenantAdminSwitch\",\"parameters\":{},"
                + "\"details\":[],\"exceptionCulprit\":1}}}");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(errorCode(forbidden)).isEqualTo("PowerBINotAuthorizedException");
        assertThat(badValue.statusCode()).isEqualTo(400);
        assertThat(errorCode(badValue)).isEqualTo("InvalidRequest");
        assertThat(json(badValue).get("error").get("message").asString()).contains("column", "expected a JSON number");
        assertThat(storedRows()).isZero();
        assertThat(sims.powerBi.sequenceNumbers(id, "invoices")).isEmpty();
        assertThat(push(rows("b1", 1), 1L).statusCode()).isEqualTo(200);
        assertThat(sims.powerBi.postRowsLog()).extracting(PostRowsRecord::applied, PostRowsRecord::fault).containsExactly(
                org.assertj.core.groups.Tuple.tuple(false, "UNAUTHORIZED_SWITCH"),
                org.assertj.core.groups.Tuple.tuple(false, "FORBIDDEN"),
                org.assertj.core.groups.Tuple.tuple(false, "BAD_VALUE"),
                org.assertj.core.groups.Tuple.tuple(true, null));
        assertThat(sims.powerBi.faults().hits()).containsExactly(1, 1, 1);
    }

    @Test
    void refusalFaultsReachSequenceNumbersAndExecuteQueriesToo() {
        sims.faults.add(FaultInjector.Rule.unauthorizedSwitch().times(1));
        sims.faults.add(FaultInjector.Rule.forbidden().onPathsContaining("/executeQueries").times(1));

        assertThat(sequenceNumbers().statusCode()).isEqualTo(401);
        assertThat(query("EVALUATE ROW(\"n\", COUNTROWS('invoices'))").statusCode()).isEqualTo(403);
        assertThat(query("EVALUATE ROW(\"n\", COUNTROWS('invoices'))").statusCode()).isEqualTo(200);
    }

    // ---- request size ----

    @Test
    void aBodyOverSixteenMegabytesReachesTheValidatorAndIs400() {
        String padding = " ".repeat(16_000_001 - rows("b", 1).length());
        HttpResponse<String> tooBig = push(rows("b", 1).replace("]}", "]" + padding + "}"), 1L);

        assertThat(tooBig.statusCode()).isEqualTo(400);
        assertThat(json(tooBig).get("error").get("message").asString())
                .isEqualTo("The request body is 16000001 bytes; at most 16000000 bytes are allowed per request.");
        assertThat(storedRows()).isZero();
        assertThat(sims.powerBi.sequenceNumbers(id, "invoices")).isEmpty();

        String fits = rows("b", 1).replace("]}", "]" + " ".repeat(16_000_000 - rows("b", 1).length()) + "}");
        assertThat(push(fits, 1L).statusCode()).as("exactly 16,000,000 bytes are allowed").isEqualTo(200);
        assertThat(storedRows()).isEqualTo(1);
    }
}
