package io.mlconnector.sim.powerbi;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real MSAL4J client gets a token from the HTTPS Entra simulator and uses it against the Power BI simulator. */
class MsalTokenIT {
    private final SimulatorPair sims = new SimulatorPair();

    @AfterEach
    void stop() {
        sims.close();
    }

    @Test
    void msalConfidentialClientTokenWorksAgainstPowerBi() throws Exception {
        ConfidentialClientApplication app = ConfidentialClientApplication
                .builder(SimulatorPair.APP.clientId(), ClientCredentialFactory.createFromSecret(SimulatorPair.APP.clientSecret()))
                .authority(sims.entra.authority(SimulatorPair.APP.tenantId()))
                .instanceDiscovery(false) // MSAL would otherwise ask login.microsoftonline.com (reference §1.2)
                .sslSocketFactory(sims.entra.sslContextTrustingSelf().getSocketFactory())
                .build();
        ClientCredentialParameters parameters = ClientCredentialParameters
                .builder(Set.of("https://analysis.windows.net/powerbi/api/.default")).build();

        IAuthenticationResult result = app.acquireToken(parameters).get();

        // The response's scope field becomes the cache entry's target, which MSAL matches on (reference §1.2).
        // (MSAL 1.26 still misses its cache for an authority with an explicit port: it stores the entry under the
        // host "localhost" but looks it up under "localhost:{port}", so every acquireToken goes to the network.)
        assertThat(app.tokenCache().serialize()).contains("\"target\":\"https://analysis.windows.net/powerbi/api/.default\"");
        assertThat(result.expiresOnDate()).isAfter(new java.util.Date());
        HttpResponse<String> response = sims.call("GET", sims.group("/datasets"), result.accessToken(), null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(SimulatorPair.json(response).get("value").isArray()).isTrue();
    }
}
