package io.mlconnector.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mlconnector.cluster.Leases.Lease;
import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one lease mechanism of a cluster (DESIGN §6), on H2 and on PostgreSQL shared by separate connection pools. */
class LeasesIT {
    private static final String NAME = "push:default";

    @TempDir
    Path dir;
    private final List<Database> databases = new ArrayList<>();

    @AfterEach
    void close() {
        databases.forEach(Database::close);
    }

    /** Each "instance" has its own pool on the same store, as separate processes would. */
    private List<Leases> instances(String store, int count, Duration duration) {
        List<Leases> instances = new ArrayList<>();
        if (store.equals("h2")) {
            Database shared = TestDatabases.h2(dir);
            databases.add(shared);
            for (int i = 0; i < count; i++) {
                instances.add(new Leases(shared.jdbi(), "instance-" + i, duration));
            }
        } else {
            var config = TestDatabases.postgresConfig();
            for (int i = 0; i < count; i++) {
                Database database = Database.open(config);
                databases.add(database);
                instances.add(new Leases(database.jdbi(), "instance-" + i, duration));
            }
        }
        return instances;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void ofInstancesRacingForAFreeLeaseExactlyOneGetsIt(String store) throws Exception {
        List<Leases> instances = instances(store, 4, Duration.ofMinutes(1));
        for (int round = 0; round < 5; round++) {
            String name = NAME + "-" + round;
            ExecutorService pool = Executors.newFixedThreadPool(instances.size());
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<Lease>>> results = new ArrayList<>();
            for (Leases instance : instances) {
                Callable<Optional<Lease>> take = () -> {
                    start.await();
                    return instance.tryAcquire(name);
                };
                results.add(pool.submit(take));
            }
            start.countDown();
            List<Lease> winners = new ArrayList<>();
            for (Future<Optional<Lease>> result : results) {
                result.get().ifPresent(winners::add);
            }
            pool.shutdown();
            assertThat(winners).singleElement().satisfies(l -> assertThat(l.token()).isEqualTo(1));
            assertThat(instances.get(0).find(name)).get().extracting(Lease::owner).isEqualTo(winners.get(0).owner());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aLeaseIsTakenOverOnlyOnceItsOwnerStoppedRenewingIt(String store) {
        List<Leases> instances = instances(store, 2, Duration.ofSeconds(2));
        Leases first = instances.get(0);
        Leases second = instances.get(1);
        Lease held = first.tryAcquire(NAME).orElseThrow();
        assertThat(second.tryAcquire(NAME)).as("held and not expired").isEmpty();
        held = first.renew(held).orElseThrow();

        // The owner dies (it renews no more): the other instance takes over once the lease expired.
        await().atMost(Duration.ofSeconds(10)).until(() -> second.tryAcquire(NAME).isPresent());
        Lease taken = second.find(NAME).orElseThrow();
        assertThat(taken.owner()).isEqualTo("instance-1");
        assertThat(taken.token()).as("fencing token raised").isEqualTo(held.token() + 1);

        // Should the old owner come back, it holds nothing and can do nothing under its old token.
        assertThat(first.renew(held)).isEmpty();
        Lease stale = held;
        assertThatThrownBy(() -> databases.get(0).jdbi().useTransaction(h -> Leases.checkHeld(h, stale)))
                .isInstanceOf(Leases.LeaseLostException.class);
        databases.get(databases.size() - 1).jdbi().useTransaction(h -> Leases.checkHeld(h, taken));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aReleasedLeaseIsFreeAtOnce(String store) {
        List<Leases> instances = instances(store, 2, Duration.ofMinutes(10));
        Lease held = instances.get(0).tryAcquire(NAME).orElseThrow();
        instances.get(0).release(held);
        assertThat(instances.get(1).tryAcquire(NAME)).get().extracting(Lease::token).isEqualTo(2L);
    }

    @Test
    void aHolderKeepsItsLeaseByRenewingAndAnotherTakesItWhenTheHolderCloses() {
        List<Leases> instances = instances("postgresql", 2, Duration.ofSeconds(1));
        try (LeaseHolder one = new LeaseHolder(instances.get(0), NAME);
             LeaseHolder two = new LeaseHolder(instances.get(1), NAME)) {
            Lease lease = one.current().orElseThrow();
            // Over several lease durations the renewing holder keeps it, and the other never gets it.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> two.current().isEmpty()
                    && one.current().map(Lease::token).orElse(-1L) == lease.token());
            one.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> two.current().isPresent());
            assertThat(two.current()).get().extracting(Lease::token).isEqualTo(lease.token() + 1);
        }
    }
}
