package io.mlconnector.sim;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Loopback;
import io.mlconnector.sim.entra.EntraSimulator;
import io.mlconnector.sim.entra.RegisteredApp;
import io.mlconnector.sim.freshbooks.FreshBooksConfig;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.powerbi.PowerBiSettings;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.sim.powerbi.PushLimits;
import io.mlconnector.sim.powerbi.WorkspaceRole;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the simulators side by side on consecutive ports: Entra ID (HTTPS) on {@code port}, Power BI on
 * {@code port + 1}, FreshBooks on {@code port + 2}; port 0 means any free ports. They listen on loopback unless
 * told otherwise. Creates the demo workspace with the demo app as Member, so a connector configured with
 * {@link #demoApp()} and {@link #DEMO_WORKSPACE_ID} works at once.
 */
public final class Simulators implements AutoCloseable {
    public static final String DEMO_WORKSPACE_ID = "33333333-3333-3333-3333-333333333333";
    public static final String DEMO_WORKSPACE_NAME = "ml-connector demo";

    /** A simulated service and where it listens. */
    public record Service(String name, String baseUrl) {}

    /**
     * What to start with: the seed of faults and generated data, the lifetime of Entra tokens, and the
     * FreshBooks switches (e.g. short access tokens, for tests of refresh).
     */
    public record Options(long seed, Duration entraTokenLifetime, FreshBooksConfig.Behaviour freshBooksBehaviour) {
        public static Options defaults(long seed) {
            return new Options(seed, EntraSimulator.DEFAULT_TOKEN_LIFETIME, FreshBooksConfig.Behaviour.strict());
        }
    }

    private final EntraSimulator entra;
    private final PowerBiSimulator powerBi;
    private final FreshBooksSimulator freshBooks;

    private Simulators(EntraSimulator entra, PowerBiSimulator powerBi, FreshBooksSimulator freshBooks) {
        this.entra = entra;
        this.powerBi = powerBi;
        this.freshBooks = freshBooks;
    }

    /**
     * @param port the first port (Entra); 0 = any free ports
     * @param seed seeds the fault injectors (and, later, generated FreshBooks data)
     */
    public static Simulators start(int port, long seed, Clock clock) {
        return start(port, Options.defaults(seed), clock);
    }

    /** On loopback only (the simulators approve anyone), as {@link #start(String, int, Options, Clock)}. */
    public static Simulators start(int port, Options options, Clock clock) {
        return start(Loopback.HOST, port, options, clock);
    }

    /**
     * @param bindHost the address all three listen on, e.g. 0.0.0.0 to reach them from other machines; their URLs
     *                 still say localhost
     */
    public static Simulators start(String bindHost, int port, Options options, Clock clock) {
        long seed = options.seed();
        if (port < 0 || port > 65_533) {
            throw new IllegalArgumentException("port must be 0 or leave room for three consecutive ports: " + port);
        }
        EntraSimulator entra = new EntraSimulator(clock, new FaultInjector(clock, seed), options.entraTokenLifetime());
        entra.registerApp(RegisteredApp.DEMO);
        PowerBiSimulator powerBi = null;
        FreshBooksSimulator freshBooks = null;
        try {
            entra.start(bindHost, port);
            powerBi = new PowerBiSimulator(clock, entra.tokenValidator(), new FaultInjector(clock, seed + 1),
                    PushLimits.DOCUMENTED, PowerBiSettings.STRICT);
            powerBi.start(bindHost, port == 0 ? 0 : port + 1);
            powerBi.addWorkspace(DEMO_WORKSPACE_ID, DEMO_WORKSPACE_NAME)
                    .addMember(DEMO_WORKSPACE_ID, RegisteredApp.DEMO.clientId(), WorkspaceRole.MEMBER);
            powerBi.store().setDisplayName(RegisteredApp.DEMO.clientId(), RegisteredApp.DEMO.displayName());
            freshBooks = new FreshBooksSimulator(FreshBooksConfig.demo().withSeed(seed)
                    .withBehaviour(options.freshBooksBehaviour()), clock);
            freshBooks.start(bindHost, port == 0 ? 0 : port + 2);
            return new Simulators(entra, powerBi, freshBooks);
        } catch (RuntimeException e) {
            if (freshBooks != null) {
                freshBooks.close();
            }
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

    public FreshBooksSimulator freshBooks() {
        return freshBooks;
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
        services.add(new Service("freshbooks", freshBooks.baseUrl()));
        return List.copyOf(services);
    }

    @Override
    public void close() {
        freshBooks.close();
        powerBi.stop();
        entra.stop();
    }
}
