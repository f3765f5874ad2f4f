package io.mlconnector.powerbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MsalTokenSource} (real MSAL4J) against the HTTPS Entra simulator, trusted through the
 * {@code extraTrustedCertificatePem} option, and its tokens against the Power BI simulator.
 */
class MsalTokenSourceIT {

    private final SimulatedPowerBi sims = new SimulatedPowerBi();

    @AfterEach
    void stop() {
        sims.close();
    }

    @Test
    void tokenFromTheEntraSimulatorIsAcceptedByPowerBi() {
        MsalTokenSource tokens = sims.tokenSource();

        String token = tokens.accessToken();

        assertThat(token).isNotBlank();
        assertThat(sims.entra.tokenValidator().validate(token).appId()).isEqualTo(SimulatedPowerBi.APP.clientId());
        // The Power BI simulator authenticates every call: listing the workspace only works with a valid token.
        assertThat(sims.client(tokens).listDatasets(SimulatedPowerBi.WORKSPACE)).isEmpty();
        assertThat(tokens.accessToken()).as("held until 90 percent of its life").isEqualTo(token);
        assertThat(sims.tokenRequests()).isEqualTo(1);
    }

    @Test
    void wrongSecretNamesAadsts7000215() {
        MsalTokenSource tokens = sims.tokenSource("not-the-secret");

        assertThatThrownBy(tokens::accessToken)
                .isInstanceOfSatisfying(PowerBiAuthException.class, e -> {
                    assertThat(e.aadstsCode()).contains("7000215");
                    assertThat(e.errorCode()).contains("invalid_client");
                })
                .hasMessageContaining("AADSTS7000215")
                .hasMessageContaining("powerbi.client-secret")
                .hasMessageNotContaining("not-the-secret");
    }

    /**
     * The service says TokenExpired while the connector still holds the token as fresh: one new token, one retry.
     *
     * <p>Clocks, and why two. Entra stamps {@code exp} and Power BI checks it on {@code serviceClock}; Entra
     * answers {@code expires_in} (3599 s), which MSAL turns into {@code expiresOn} on the system clock, and
     * {@link MsalTokenSource} lays that lifetime on {@code connectorClock} to plan its refresh at 90 %. With one
     * shared clock the token source always refreshes before the service could see the token expire, so
     * TokenExpired is unreachable by construction (the second test shows that path). The service can only say
     * TokenExpired to a token we still trust when our clock lags the service's (skew), or the token dies early;
     * so here only {@code serviceClock} moves past {@code exp}. Entra stays on the service's clock so the
     * re-acquired token is valid on it: a token stamped on a stale clock would be refused again.
     */
    @Test
    void tokenExpiredAtTheServiceMakesOneNewTokenAndOneRetry() {
        MsalTokenSource tokens = sims.tokenSource();
        PushDatasetClient client = sims.client(tokens);
        String datasetId = provision(client);
        String first = tokens.accessToken();
        assertThat(client.postRows(SimulatedPowerBi.WORKSPACE, datasetId, "clients", List.of(clientRow(1))))
                .isInstanceOf(PostRowsResult.Accepted.class);
        long tokensBefore = sims.tokenRequests();

        Instant expiry = sims.entra.tokenValidator().validate(first).expiresAt();
        sims.serviceClock.set(expiry.plusSeconds(1));
        PostRowsResult result = client.postRows(SimulatedPowerBi.WORKSPACE, datasetId, "clients", List.of(clientRow(2)));

        assertThat(result).isInstanceOf(PostRowsResult.Accepted.class);
        assertThat(sims.tokenRequests()).as("exactly one new token").isEqualTo(tokensBefore + 1);
        List<PostRowsRecord> log = sims.postRowsLog();
        assertThat(log).extracting(PostRowsRecord::status).containsExactly(200, 403, 200);
        assertThat(tokens.accessToken()).isNotEqualTo(first);
        assertThat(sims.powerBi.rows(datasetId, "clients")).extracting(r -> r.get("client_id"))
                .containsExactly(1L, 2L);
    }

    /** With consistent clocks the token source renews at 90 % of the token's life, before the service sees it expire. */
    @Test
    void consistentClocksRenewBeforeTheServiceSeesExpiry() {
        MsalTokenSource tokens = sims.tokenSource();
        PushDatasetClient client = sims.client(tokens);
        String datasetId = provision(client);
        String first = tokens.accessToken();
        Instant expiry = sims.entra.tokenValidator().validate(first).expiresAt();

        Duration toNinetyFivePercent = Duration.between(SimulatedPowerBi.START, expiry).multipliedBy(95).dividedBy(100);
        sims.serviceClock.advance(toNinetyFivePercent);
        sims.connectorClock.advance(toNinetyFivePercent);
        PostRowsResult result = client.postRows(SimulatedPowerBi.WORKSPACE, datasetId, "clients", List.of(clientRow(1)));

        assertThat(result).isInstanceOf(PostRowsResult.Accepted.class);
        assertThat(tokens.accessToken()).isNotEqualTo(first);
        assertThat(sims.postRowsLog()).extracting(PostRowsRecord::status).containsExactly(200);
    }

    private static String provision(PushDatasetClient client) {
        return new DatasetProvisioner(client, RetentionPolicy.NONE)
                .ensure(SimulatedPowerBi.WORKSPACE, DatasetModel.freshBooks("FreshBooks")).datasetId();
    }

    private static Map<String, Object> clientRow(long clientId) {
        return DatasetModel.CLIENTS.newRow(Long.toString(clientId))
                .set("tenant", "ACM123")
                .set("client_id", clientId)
                .set("client_key", "ACM123|" + clientId)
                .set("organization", "Client " + clientId)
                .build()
                .toPushJson(1, SimulatedPowerBi.START, "batch-" + clientId);
    }
}
