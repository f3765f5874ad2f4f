package io.mlconnector.sim;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.entra.EntraSimulator;
import io.mlconnector.sim.entra.RegisteredApp;
import io.mlconnector.sim.powerbi.PowerBiSettings;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.sim.powerbi.PushLimits;
import io.mlconnector.sim.powerbi.WorkspaceRole;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the simulators side by side on consecutive ports: Entra ID (HTTPS) on {@code port}, Power BI on
 * {@code port + 1}, FreshBooks on {@code port + 2}; port 0 means any free ports. Creates the demo workspace with
 * the demo app as Member, so a connector configured with {@link #demoApp()} and {@link #DEMO_WORKSPACE_ID} works
 * at once.
 */
public final class Simulators implements AutoCloseable {
    public static final String DEMO_WORKSPACE_ID = "33333333-3333-3333-3333-333333333333";
    public static final String DEMO_WORKSPACE_NAME = "ml-connector demo";

    /** A simulated service and where it listens. */
    public record Service(String name, String baseUrl) {}

    private final EntraSimulator entra;
    private final PowerBiSimulator powerBi;
    private final int freshBooksPort;
    // FreshBooks: the lead wires io.mlconnector.sim.freshbooks.FreshBooksSimulator here, started on freshBooksPort
    // (0 = any free port) in start(...), added to services() and stopped in close().

    private Simulators(EntraSimulator entra, PowerBiSimulator powerBi, int freshBooksPort) {
        this.entra = entra;
        this.powerBi = powerBi;
        this.freshBooksPort = freshBooksPort;
    }

    /**
     * @param port the first port (Entra); 0 = any free ports
     * @param seed seeds the fault injectors (and, later, generated FreshBooks data)
     */
    public static Simulators start(int port, long seed, Clock clock) {
        if (port < 0 || port > 65_533) {
            throw new IllegalArgumentException("port must be 0 or leave room for three consecutive ports: " + port);
        }
        EntraSimulator entra = new EntraSimulator(clock, new FaultInjector(clock, seed), EntraSimulator.DEFAULT_TOKEN_LIFETIME);
        entra.registerApp(RegisteredApp.DEMO);
        PowerBiSimulator powerBi = null;
        try {
            entra.start(port);
            powerBi = new PowerBiSimulator(clock, entra.tokenValidator(), new FaultInjector(clock, seed + 1),
                    PushLimits.DOCUMENTED, PowerBiSettings.STRICT);
            powerBi.start(port == 0 ? 0 : port + 1);
            powerBi.addWorkspace(DEMO_WORKSPACE_ID, DEMO_WORKSPACE_NAME)
                    .addMember(DEMO_WORKSPACE_ID, RegisteredApp.DEMO.clientId(), WorkspaceRole.MEMBER);
            powerBi.store().setDisplayName(RegisteredApp.DEMO.clientId(), RegisteredApp.DEMO.displayName());
            return new Simulators(entra, powerBi, port == 0 ? 0 : port + 2);
        } catch (RuntimeException e) {
            if (powerBi != null) {
                powerBi.stop();
            }
            entra.stop();
            throw e;
        }
    }

    public EntraSimulator entra() {
        return entra;
    }

    public PowerBiSimulator powerBi() {
        return powerBi;
    }

    /** The port kept for the FreshBooks simulator (0 = any free port). */
    public int freshBooksPort() {
        return freshBooksPort;
    }

    public RegisteredApp demoApp() {
        return RegisteredApp.DEMO;
    }

    public String demoWorkspaceId() {
        return DEMO_WORKSPACE_ID;
    }

    /** The running services, in port order. */
    public List<Service> services() {
        List<Service> services = new ArrayList<>();
        services.add(new Service("entra-id", entra.baseUrl()));
        services.add(new Service("power-bi", powerBi.baseUrl()));
        return List.copyOf(services);
    }

    @Override
    public void close() {
        powerBi.stop();
        entra.stop();
    }
}
