package io.mlconnector.powerbi;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.sim.entra.EntraSimulator;
import io.mlconnector.sim.entra.RegisteredApp;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import io.mlconnector.sim.powerbi.PowerBiSettings;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.sim.powerbi.PushLimits;
import io.mlconnector.sim.powerbi.WorkspaceRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The HTTPS Entra simulator and the Power BI simulator, in-process on port 0, wired the way the connector
 * meets them in production: an {@link MsalTokenSource} that trusts the Entra certificate through the
 * {@code extraTrustedCertificatePem} file option, and a {@link PushDatasetClient} on top of it.
 *
 * <p>Two clocks. {@link #serviceClock} is Microsoft's side: Entra stamps {@code iat}/{@code exp} with it and the
 * Power BI simulator checks {@code exp} and its quota windows against it (its token validator is Entra's, on
 * the same clock). {@link #connectorClock} is ours: the token source's refresh schedule runs on it. Tests move
 * them together, or apart to model skew between the connector and the service.
 */
final class SimulatedPowerBi implements AutoCloseable {

    static final String WORKSPACE = "33333333-3333-3333-3333-333333333333";
    static final RegisteredApp APP = RegisteredApp.DEMO;
    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final String TOKEN_PATH = "/oauth2/v2.0/token";

    final MutableClock serviceClock = new MutableClock(START);
    final MutableClock connectorClock = new MutableClock(START);
    /** Records every token request (a zero-latency rule that matches them all), so tests can count them. */
    final FaultInjector entraFaults = new FaultInjector(serviceClock, 1);
    final FaultInjector powerBiFaults = new FaultInjector(serviceClock, 7);
    final EntraSimulator entra;
    final PowerBiSimulator powerBi;
    final Path trustedPem;

    SimulatedPowerBi() {
        this(PushLimits.DOCUMENTED);
    }

    SimulatedPowerBi(PushLimits limits) {
        entra = new EntraSimulator(serviceClock, entraFaults, EntraSimulator.DEFAULT_TOKEN_LIFETIME);
        entra.registerApp(APP).start(0);
        entraFaults.add(FaultInjector.Rule.latency(1.0, Duration.ZERO).onPathsContaining(TOKEN_PATH));
        powerBi = new PowerBiSimulator(serviceClock, entra.tokenValidator(), powerBiFaults, limits,
                PowerBiSettings.STRICT).start(0);
        powerBi.addWorkspace(WORKSPACE, "Finance").addMember(WORKSPACE, APP.clientId(), WorkspaceRole.MEMBER);
        try {
            trustedPem = Files.createTempFile("entra-sim-", ".pem");
            Files.writeString(trustedPem, entra.certificatePem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    MsalTokenSource tokenSource() {
        return tokenSource(APP.clientSecret());
    }

    /** The production token source, against the simulator, trusting its certificate via the PEM file option. */
    MsalTokenSource tokenSource(String clientSecret) {
        return new MsalTokenSource(new MsalTokenSource.Settings(URI.create(entra.baseUrl()), APP.tenantId(),
                APP.clientId(), clientSecret, trustedPem), connectorClock);
    }

    PushDatasetClient client(PowerBiTokenSource tokens) {
        return new PushDatasetClient(HttpClient.newHttpClient(), URI.create(powerBi.apiBaseUrl()), tokens,
                Duration.ofSeconds(10), connectorClock);
    }

    /** How many token requests reached the Entra simulator so far. */
    long tokenRequests() {
        return entraFaults.injected().stream().filter(i -> i.path().endsWith(TOKEN_PATH)).count();
    }

    List<PostRowsRecord> postRowsLog() {
        return powerBi.postRowsLog();
    }

    @Override
    public void close() {
        powerBi.stop();
        entra.stop();
        try {
            Files.deleteIfExists(trustedPem);
        } catch (IOException e) {
            // a temp file left behind is harmless
        }
    }
}
