package io.mlconnector.sim.powerbi;

import static io.mlconnector.sim.powerbi.SimulatorPair.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Entra and Power BI on separate clocks: the Power BI simulator judges token expiry on its own clock. */
class SeparateClocksIT {
    private final SimulatorPair sims = new SimulatorPair(PushLimits.DOCUMENTED, PowerBiSettings.STRICT, true);

    @AfterEach
    void stop() {
        sims.close();
    }

    @Test
    void movingOnlyThePowerBiClockPastExpExpiresTheToken() {
        String token = sims.token(); // exp = START + 3599 s
        sims.clock.advance(Duration.ofSeconds(3598));
        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(200);

        sims.clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> expired = sims.call("GET", sims.group("/datasets"), token, null);

        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(json(expired).get("error").get("code").asString()).isEqualTo("TokenExpired");
        assertThat(sims.entraClock.instant()).isEqualTo(SimulatorPair.START);
    }

    @Test
    void movingOnlyTheEntraClockDoesNotExpireATokenAtPowerBi() {
        String token = sims.token();
        sims.entraClock.advance(Duration.ofHours(2));

        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(200);
        assertThat(sims.entra.tokenValidator().validate(token, sims.clock.instant()).appId())
                .isEqualTo(SimulatorPair.APP.clientId());
    }

    @Test
    void aTokenIssuedAheadOfThePowerBiClockIsNotYetValid() {
        sims.entraClock.advance(Duration.ofHours(2)); // nbf = START + 2 h, but Power BI still says START
        String token = sims.token();

        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(401);
        sims.clock.advance(Duration.ofHours(2));
        assertThat(sims.call("GET", sims.group("/datasets"), token, null).statusCode()).isEqualTo(200);
    }
}
