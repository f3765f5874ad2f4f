package io.mlconnector.cli;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc status} and {@code mlc replay} against a whole running connector (the demo's): Power BI refuses
 * every POST of rows with a 400 that is not about the schema, so batches are quarantined; status lists them,
 * replay of one after the fault clears gets its rows into the dataset, and replaying it again is refused.
 */
class StatusReplayIT {
    @TempDir
    Path dataDir;

    @Test
    void statusListsQuarantinedBatchesAndReplaySendsOneAgain() {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 5, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            String url = world.config().server().publicBaseUrl().toString();
            Operations operations = world.connector().operations();

            Run empty = run("status", "--url", url);
            assertThat(empty.exit()).as(empty.toString()).isZero();
            assertThat(empty.out()).contains("Tenants: none connected", "Events: 0 received, 0 pending",
                    "oldest waiting: nothing waits", "Blocked tables: none", "Quarantined batches: none");

            FaultInjector powerBiFaults = world.simulators().powerBi().faults();
            powerBiFaults.add(FaultInjector.Rule.serverError(1.0, 400).onPathsContaining("/rows"));
            world.freshBooks().generator().step(40);
            List<Tenant> tenants = world.connectBusinesses();
            operations.backfill(tenants.get(0).tenantId(), progress -> {});
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !operations.status().quarantined().isEmpty());
            Outbox.Batch batch = operations.status().quarantined().get(0);

            Run status = run("status", "--url", url);
            assertThat(status.exit()).as(status.toString()).isZero();
            assertThat(status.out()).contains("Tenants: " + tenants.size(),
                    "  " + tenants.get(0).businessName() + " (" + tenants.get(0).tenantId() + "): active",
                    "Quarantined batches: ", "mlc replay <batch id>",
                    "  " + batch.batchId() + "  " + batch.table() + " (" + batch.rowCount() + " rows): 400",
                    "injected server error");

            powerBiFaults.clear();
            Run replayed = run("replay", batch.batchId(), "--url", url);
            assertThat(replayed.exit()).as(replayed.toString()).isZero();
            assertThat(replayed.out()).contains("Batch " + batch.batchId() + " is queued again");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    operations.status().quarantined().stream().noneMatch(b -> b.batchId().equals(batch.batchId()))
                            && world.simulators().powerBi().postRowsLog().stream()
                            .anyMatch(r -> r.status() == 200 && batch.table().equals(r.table())));

            Run again = run("replay", batch.batchId(), "--url", url);
            assertThat(again.exit()).as(again.toString()).isEqualTo(1);
            assertThat(again.err()).contains("is not quarantined");
            assertThat(run("replay", "no-such-batch", "--url", url).exit()).isEqualTo(1);
        }
    }

    @Test
    void noServiceIsOneMessage() {
        Run down = run("status", "--url", "http://127.0.0.1:9");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("no connector answers at http://127.0.0.1:9", "mlc serve")
                .doesNotContain("\tat ");
    }
}
