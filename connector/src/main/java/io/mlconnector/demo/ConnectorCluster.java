package io.mlconnector.demo;

import io.mlconnector.app.Connector;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.store.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster on one machine (DESIGN §6): N {@code mlc serve} processes on one shared store (PostgreSQL), each with
 * its own port, {@code cluster.instance-id} ({@code mlc-1}, {@code mlc-2}, …) and copy of the same secrets keyset,
 * behind {@link HaProxy} listening at the world's {@code server.public-base-url}, so FreshBooks' webhooks and the
 * OAuth redirect reach whichever instance the balancer picks. Used by {@code mlc demo --instances} and ClusterIT.
 */
public final class ConnectorCluster implements AutoCloseable {
    /** The lease row of the push stream of the one route (migration V10; its owner is an instance id). */
    public static final String ROUTE_LEASE = "push:" + Connector.ROUTE;

    /** Who owns a lease, and its fencing token (raised by every takeover). */
    public record Lease(String owner, long token) {}

    private final List<ConnectorProcess> instances;
    private final HaProxy balancer;
    private final ConnectorConfig.Store store;

    private ConnectorCluster(List<ConnectorProcess> instances, HaProxy balancer, ConnectorConfig.Store store) {
        this.instances = List.copyOf(instances);
        this.balancer = balancer;
        this.store = store;
    }

    /**
     * Starts {@code size} instances of {@code world}'s connector configuration side by side in {@code dir/mlc-<n>},
     * waits until each answers {@code /health}, then starts HAProxy on the port of the world's public base URL.
     *
     * @param haproxy the {@code haproxy} executable ({@link HaProxy#find()})
     * @param env     extra {@code ML_CONNECTOR_*} variables for every instance, e.g. a shorter lease
     */
    public static ConnectorCluster start(Path haproxy, Path dir, int size, DemoWorld world, Map<String, String> env) {
        URI publicUrl = world.config().server().publicBaseUrl();
        Path keyset = world.config().secrets().keysetPath();
        SecretBox.open(keyset); // one keyset, created here once: instances that each made their own could not share a store
        List<ConnectorProcess> instances = new ArrayList<>();
        try {
            for (int n = 1; n <= size; n++) {
                String name = "mlc-" + n;
                Path home = dir.resolve(name);
                Files.createDirectories(home);
                Path copy = Files.copy(keyset, home.resolve("keyset.json"), StandardCopyOption.COPY_ATTRIBUTES,
                        StandardCopyOption.REPLACE_EXISTING);
                Map<String, String> own = new HashMap<>(env);
                own.put("ML_CONNECTOR_CLUSTER_INSTANCE_ID", name);
                own.put("ML_CONNECTOR_SECRETS_KEYSET_PATH", copy.toAbsolutePath().toString());
                instances.add(ConnectorProcess.launch(home, name, world.configYaml(), DemoWorld.freePort(), own));
            }
            for (ConnectorProcess instance : instances) {
                instance.awaitHealthy();
            }
            HaProxy balancer = HaProxy.start(haproxy, dir.resolve("haproxy"), publicUrl.getPort(), instances.stream()
                    .map(i -> new HaProxy.Backend(i.name(), i.port())).toList());
            return new ConnectorCluster(instances, balancer, world.config().store());
        } catch (IOException e) {
            instances.forEach(ConnectorProcess::close);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            instances.forEach(ConnectorProcess::close);
            throw e;
        }
    }

    public List<ConnectorProcess> instances() {
        return instances;
    }

    /** The instance with that {@code cluster.instance-id}. */
    public Optional<ConnectorProcess> instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** Where clients reach the cluster: HAProxy. */
    public URI url() {
        return balancer.url();
    }

    /**
     * The admin listener (status API, metrics, connect links) of the first running instance: the balancer forwards
     * the public surface only, and every instance answers from the shared store.
     */
    public URI adminUrl() {
        return instances.stream().filter(ConnectorProcess::isAlive).findFirst().orElse(instances.get(0)).adminUrl();
    }

    public HaProxy balancer() {
        return balancer;
    }

    /** The owner of the route's push stream, from the {@code lease} table; empty before anyone took it. */
    public Optional<Lease> routeOwner() {
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.username(), store.password());
             PreparedStatement query = c.prepareStatement("SELECT owner, token FROM lease WHERE name = ?")) {
            query.setString(1, ROUTE_LEASE);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(new Lease(row.getString(1), row.getLong(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the lease table at " + store.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Stops the balancer, then each instance in order (SIGTERM, SIGKILL if it hangs). */
    @Override
    public void close() {
        balancer.close();
        for (ConnectorProcess instance : instances) {
            try {
                instance.stop();
            } catch (RuntimeException e) {
                // it hung past its shutdown; close() kills it
            }
            instance.close();
        }
    }
}
