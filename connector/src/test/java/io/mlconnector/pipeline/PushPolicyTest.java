package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.pipeline.PushPolicy.Decision;
import io.mlconnector.pipeline.PushPolicy.TableState;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.PowerBiAuthException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision table of docs/guarantees.md: each POST outcome the client can report, and what the pusher does. */
class PushPolicyTest {

    static Stream<Arguments> outcomes() {
        return Stream.of(
                Arguments.of("200", new PostRowsResult.Accepted("r1"), 10, PushPolicy.MarkSent.class),
                Arguments.of("429 with Retry-After", new PostRowsResult.Throttled(Duration.ofSeconds(7), "r"), 10,
                        PushPolicy.RetryLater.class),
                Arguments.of("429 without Retry-After", new PostRowsResult.Throttled(null, "r"), 10, PushPolicy.RetryLater.class),
                Arguments.of("connection refused", new PostRowsResult.NotSent("java.net.ConnectException"), 10,
                        PushPolicy.RetryLater.class),
                Arguments.of("timeout after sending", new PostRowsResult.Unknown(-1, "timed out after PT60S", null), 10,
                        PushPolicy.ResolveUnknown.class),
                Arguments.of("connection reset after sending", new PostRowsResult.Unknown(-1, "java.io.IOException: "
                        + "HTTP/1.1 header parser received no bytes", null), 10, PushPolicy.ResolveUnknown.class),
                Arguments.of("500", new PostRowsResult.Unknown(500, "InternalServerError", "r"), 10, PushPolicy.ResolveUnknown.class),
                Arguments.of("502 from a gateway", new PostRowsResult.Unknown(502, "HTTP 502", null), 10,
                        PushPolicy.ResolveUnknown.class),
                Arguments.of("503", new PostRowsResult.Unknown(503, "ServiceUnavailable", "r"), 10, PushPolicy.ResolveUnknown.class),
                Arguments.of("408", new PostRowsResult.Unknown(408, "HTTP 408", "r"), 10, PushPolicy.ResolveUnknown.class),
                Arguments.of("400 about a value, even one naming a column",
                        new PostRowsResult.Rejected(400, "InvalidRequest", "Column 'amount': value 'x' is not a Decimal", "r"), 10,
                        PushPolicy.CheckTable.class),
                Arguments.of("404 table", new PostRowsResult.Rejected(404, "ItemNotFound", null, "r"), 10,
                        PushPolicy.CheckTable.class),
                Arguments.of("401 not authorized", new PostRowsResult.Rejected(401, "PowerBINotAuthorizedException", null, "r"),
                        10, PushPolicy.PauseRoute.class),
                Arguments.of("401 tenant switch off", new PostRowsResult.Rejected(401,
                        "ServicePrincipalIsNotAllowedByTenantAdminSwitch", null, "r"), 10, PushPolicy.PauseRoute.class),
                Arguments.of("403 on rows", new PostRowsResult.Rejected(403, null, "Forbidden", "r"), 10,
                        PushPolicy.PauseRoute.class),
                Arguments.of("413 several rows", new PostRowsResult.Rejected(413, null, null, "r"), 10, PushPolicy.Split.class),
                Arguments.of("413 one row", new PostRowsResult.Rejected(413, null, null, "r"), 1, PushPolicy.QuarantineRow.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void eachOutcomeHasOneDecision(String name, PostRowsResult result, int rows, Class<? extends Decision> expected) {
        assertThat(PushPolicy.afterPost(result, rows)).isInstanceOf(expected);
    }

    @Test
    void retryAfterIsHonouredExactlyAndItsAbsenceLeavesTheWaitToBackoff() {
        assertThat(PushPolicy.afterPost(new PostRowsResult.Throttled(Duration.ofSeconds(3392), "r"), 1))
                .isEqualTo(new PushPolicy.RetryLater(Duration.ofSeconds(3392), "429 Too Many Requests"));
        assertThat(((PushPolicy.RetryLater) PushPolicy.afterPost(new PostRowsResult.NotSent("refused"), 1)).exactWait())
                .isNull();
    }

    @Test
    void pausesNameTheFixNotJustTheCause() {
        Decision tenantSwitch = PushPolicy.afterPost(new PostRowsResult.Rejected(401,
                "ServicePrincipalIsNotAllowedByTenantAdminSwitch", null, "r"), 5);
        assertThat(((PushPolicy.PauseRoute) tenantSwitch).fix()).contains("Tenant settings").contains("powerbi.client-id");
        Decision forbidden = PushPolicy.afterPost(new PostRowsResult.Rejected(403, null, null, "r"), 5);
        assertThat(((PushPolicy.PauseRoute) forbidden).fix()).contains("powerbi.workspace-id");
        Decision noToken = PushPolicy.afterTokenFailure(PowerBiAuthException.unreachable("https://login.example", new java.net.ConnectException("refused")));
        assertThat(noToken).isInstanceOfSatisfying(PushPolicy.PauseRoute.class,
                p -> assertThat(p.fix()).contains("powerbi.client-secret"));
    }

    static Stream<Arguments> refusals() {
        int limit = PushPolicy.ROW_REFUSALS_MEANING_SCHEMA;
        return Stream.of(
                Arguments.of(TableState.DATASET_GONE, 100, 0, PushPolicy.PauseRoute.class),
                Arguments.of(TableState.MISSING, 100, 0, PushPolicy.BlockTable.class),
                Arguments.of(TableState.PRESENT, 100, 0, PushPolicy.Split.class),
                Arguments.of(TableState.PRESENT, 2, limit + 3, PushPolicy.Split.class),
                Arguments.of(TableState.PRESENT, 1, 1, PushPolicy.QuarantineRow.class),
                Arguments.of(TableState.PRESENT, 1, limit - 1, PushPolicy.QuarantineRow.class),
                Arguments.of(TableState.PRESENT, 1, limit, PushPolicy.BlockTable.class));
    }

    @ParameterizedTest(name = "{0}, {1} rows, one-row refusal {2} in a row")
    @MethodSource("refusals")
    void aRefusalIsJudgedByTheTablesNotByTheMessage(TableState state, int rows, int rowRefusalsInARow,
                                                    Class<? extends Decision> expected) {
        assertThat(PushPolicy.afterRefusal(state, "invoices", rows, rowRefusalsInARow, "400: Column 'x' is wrong"))
                .isInstanceOf(expected);
    }

    @Test
    void aSchemaVerdictNamesTheCommandsThatFixIt() {
        assertThat(PushPolicy.afterRefusal(TableState.PRESENT, "invoices", 1, PushPolicy.ROW_REFUSALS_MEANING_SCHEMA, "400"))
                .isInstanceOfSatisfying(PushPolicy.BlockTable.class,
                        b -> assertThat(b.fix()).contains("mlc dataset check").contains("mlc dataset sync"));
        assertThat(PushPolicy.afterRefusal(TableState.DATASET_GONE, "invoices", 1, 0, "404"))
                .isInstanceOfSatisfying(PushPolicy.PauseRoute.class, p -> assertThat(p.fix()).contains("mlc dataset create"));
    }
}
