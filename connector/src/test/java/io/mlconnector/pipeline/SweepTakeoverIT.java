package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.FaultInjector.Rule;
import io.mlconnector.store.Database;
import io.mlconnector.testing.ChildConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sweep claimed by an instance that dies (SIGKILL mid-sweep, a real child process) is taken over: a new
 * instance on the same store completes that tenant's sweep within a minute of its start, instead of waiting
 * for db-scheduler's default dead-execution limit (5 min × 6).
 */
class SweepTakeoverIT {
    private static final Logger log = LoggerFactory.getLogger(SweepTakeoverIT.class);
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(60);

    @Test
    void aSweepClaimedByAKilledInstanceCompletesWithinAMinuteOfTheRestart() {
        Path dir = Path.of("target", "sweep-takeover-it", String.valueOf(System.currentTimeMillis())).toAbsolutePath();
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dir), Clock.systemUTC())) {
            world.connectBusinesses();
            world.stopConnector();

            // Every FreshBooks API call (not OAuth) waits, so the child's first sweeps hang in their listing.
            FaultInjector api = world.freshBooks().apiFaults();
            CountDownLatch release = new CountDownLatch(1);
            api.add(Rule.hold(release).onPathsContaining("/accounting/"));
            try (ChildConnector child = ChildConnector.start(world, dir, "sweep",
                    Map.of("ML_CONNECTOR_PIPELINE_SWEEP_INTERVAL", "3s"))) {
                await("a sweep listing held at FreshBooks").atMost(Duration.ofSeconds(30))
                        .until(() -> api.injected().stream().anyMatch(i -> i.kind() == FaultInjector.Kind.HOLD));
                child.kill9();
                Instant killedAt = Instant.now();
                api.clear();
                release.countDown();

                List<String> claimed = claimedSweeps(world);
                assertThat(claimed).as("tenant sweeps the killed instance had claimed").isNotEmpty();
                log.info("killed pid mid-sweep; claimed tenant sweeps left behind: {}", claimed);

                Instant restartedAt = Instant.now();
                child.restart();
                await("the dead instance's sweeps completed by the new one").atMost(TAKEOVER_LIMIT)
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> claimed.stream().allMatch(tenant -> logged(child, "swept tenant " + tenant + ":")));
                child.stop();

                Map<String, SweepRuns.LastRun> runs = lastRuns(world).stream()
                        .collect(Collectors.toMap(SweepRuns.LastRun::tenantId, r -> r));
                for (String tenant : claimed) {
                    SweepRuns.LastRun run = runs.get(tenant);
                    assertThat(run).as("sweep_run of %s", tenant).isNotNull();
                    assertThat(run.startedAt()).as("started by the new instance").isAfter(restartedAt);
                    assertThat(Duration.between(restartedAt, run.finishedAt())).as("restart → sweep of %s completed", tenant)
                            .isLessThan(TAKEOVER_LIMIT);
                    assertThat(run.failedTypes()).isEmpty();
                    log.info("tenant {}: sweep taken over {} after the kill, completed {} after the restart ({} records)",
                            tenant, Duration.between(killedAt, run.startedAt()),
                            Duration.between(restartedAt, run.finishedAt()), run.recordsRead());
                }
            }
        }
    }

    /** Tenant sweeps still marked picked in db-scheduler's table (read while no connector runs). */
    private static List<String> claimedSweeps(DemoWorld world) {
        try (Database store = Database.open(world.config().store())) {
            return store.jdbi().withHandle(h -> h.createQuery("SELECT task_instance FROM scheduled_tasks"
                            + " WHERE task_name = :task AND picked = TRUE ORDER BY task_instance")
                    .bind("task", SweepScheduler.TENANT_TASK).mapTo(String.class).list());
        }
    }

    private static List<SweepRuns.LastRun> lastRuns(DemoWorld world) {
        try (Database store = Database.open(world.config().store())) {
            return new SweepRuns(store.jdbi()).lastRuns();
        }
    }

    private static boolean logged(ChildConnector child, String text) {
        try {
            return Files.readString(child.logFile()).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
