package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.sim.freshbooks.TableTotals;
import io.mlconnector.sim.powerbi.DatasetDefinition;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §5 "Schema", end to end: a dataset whose {@code payments} table lacks a column gets no payment
 * rows (other tables keep filling), the status reports the missing column and {@code mlc dataset sync},
 * the rows wait in the outbox, and after the sync the kept rows arrive and equal FreshBooks' truth.
 */
class SchemaMismatchIT {
    private static final String TABLE = "payments";
    /** Set on every payment row (null values are sent too), and used by no relationship, so it can be removed. */
    private static final String COLUMN = "payment_type";
    /** Other tables and their money columns (FreshBooks wire name → Power BI column) that must fill meanwhile. */
    private static final Map<String, Map<String, String>> OTHER_TABLES = Map.of(
            "invoices", Map.of("amount", "amount", "outstanding", "outstanding"),
            "clients", Map.of(),
            "expenses", Map.of("amount", "amount"));

    @TempDir
    Path dataDir;

    @Test
    void aTableLackingAColumnGetsNoRowsUntilTheDatasetIsSyncedThenGetsTheKeptRows() {
        DemoWorld.Options options = new DemoWorld.Options(dataDir, 31, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(300));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            PowerBiSimulator powerBi = world.simulators().powerBi();
            Operations operations = world.connector().operations();
            String datasetId = operations.status().datasetId();
            removeColumn(world, datasetId);
            assertThat(powerBi.store().definition(datasetId).orElseThrow().table(TABLE).orElseThrow().column(COLUMN))
                    .as("the dataset lacks %s.%s", TABLE, COLUMN).isEmpty();

            world.freshBooks().generator().step(150);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                operations.backfill(tenant.tenantId(), progress -> {});
            }
            world.freshBooks().generator().step(120); // live changes through webhooks, payments among them
            assertThat(tenants).anyMatch(t -> payments(world, t).count() > 0);

            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Operations.Status status = operations.status();
                assertThat(status.inboxPending()).as("events waiting").isZero();
                assertThat(status.quarantined()).as("quarantined batches").isEmpty();
                assertThat(status.tables()).filteredOn(v -> v.table().equals(TABLE)).singleElement()
                        .satisfies(verdict -> {
                            assertThat(verdict.blocked()).as("payments blocked").isTrue();
                            assertThat(verdict.reason()).as("reason").contains(COLUMN);
                            assertThat(verdict.fix()).as("fix").contains("mlc dataset sync");
                        });
                assertThat(status.tables()).filteredOn(SchemaGuard.Verdict::blocked)
                        .extracting(SchemaGuard.Verdict::table).containsExactly(TABLE);
                assertThat(status.outboxUnsent()).as("payment rows kept in the outbox (at least one per live payment)")
                        .isGreaterThanOrEqualTo(tenants.stream().mapToLong(t -> payments(world, t).count()).sum());
                for (Tenant tenant : tenants) {
                    assertOtherTablesMatchTruth(world, datasetId, tenant.tenantId());
                }
            });
            assertThat(powerBi.rows(datasetId, TABLE)).as("rows in the table lacking a column").isEmpty();
            List<PostRowsRecord> paymentPosts = postsTo(powerBi, datasetId);
            assertThat(paymentPosts).as("POSTs to payments before the fix").isNotEmpty()
                    .allSatisfy(post -> assertThat(post.status()).isEqualTo(400));
            // First a bisection that finds no good row (a few dozen quick refusals), then the table is blocked and
            // only probed, every 30 s.
            int searching = 1;
            while (searching < paymentPosts.size() && Duration.between(paymentPosts.get(searching - 1).receivedAt(),
                    paymentPosts.get(searching).receivedAt()).compareTo(Duration.ofSeconds(29)) < 0) {
                searching++;
            }
            assertThat(searching).as("POSTs before the table was blocked").isLessThanOrEqualTo(40);
            for (int i = searching + 1; i < paymentPosts.size(); i++) {
                assertThat(Duration.between(paymentPosts.get(i - 1).receivedAt(), paymentPosts.get(i).receivedAt()))
                        .as("time between probes of the blocked table").isGreaterThanOrEqualTo(Duration.ofSeconds(29));
            }

            operations.syncDataset();

            assertThat(powerBi.store().definition(datasetId).orElseThrow().table(TABLE).orElseThrow().column(COLUMN))
                    .as("the sync put the column back").isPresent();
            // Well within the 30 s SchemaGuard recheck: the sync itself lets the blocked table go.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() ->
                    postsTo(powerBi, datasetId).stream().anyMatch(post -> post.status() == 200));
            // The kept rows then leave in the order they were cut into while searching, one POST each.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Operations.Status status = operations.status();
                assertThat(status.outboxUnsent()).as("rows waiting").isZero();
                assertThat(status.quarantined()).as("quarantined batches").isEmpty();
                assertThat(status.tables()).filteredOn(SchemaGuard.Verdict::blocked).as("blocked tables").isEmpty();
                for (Tenant tenant : tenants) {
                    assertPaymentsMatchTruth(world, datasetId, tenant.tenantId());
                }
            });
            assertThat(powerBi.rows(datasetId, TABLE)).as("payment rows carry the column again")
                    .allSatisfy(row -> assertThat(row).containsKey("sign"))
                    .anySatisfy(row -> assertThat(row).containsKey(COLUMN));
        }
    }

    /** What a user changing the dataset by hand would do: PUT the table with one column left out. */
    private static void removeColumn(DemoWorld world, String datasetId) {
        DatasetModel.Table full = DatasetModel.PAYMENTS;
        DatasetModel.Table reduced = new DatasetModel.Table(full.name(),
                full.columns().stream().filter(c -> !c.name().equals(COLUMN)).toList(), full.measures());
        DatasetDefinition.Table put = world.simulators().powerBi().store().putTable(
                world.simulators().demoApp().clientId(), world.simulators().demoWorkspaceId(), datasetId, TABLE,
                DatasetModel.toTableJson(reduced));
        assertThat(put.column(COLUMN)).isEqualTo(Optional.empty());
    }

    private static TableTotals payments(DemoWorld world, Tenant tenant) {
        return world.freshBooks().truth(tenant.tenantId()).table(TABLE);
    }

    private static List<PostRowsRecord> postsTo(PowerBiSimulator powerBi, String datasetId) {
        return powerBi.postRowsLog().stream()
                .filter(r -> datasetId.equals(r.datasetId()) && TABLE.equals(r.table())).toList();
    }

    private static void assertOtherTablesMatchTruth(DemoWorld world, String datasetId, String tenant) {
        for (Map.Entry<String, Map<String, String>> table : OTHER_TABLES.entrySet()) {
            assertTableMatchesTruth(world, datasetId, tenant, table.getKey(), table.getValue());
        }
    }

    private static void assertPaymentsMatchTruth(DemoWorld world, String datasetId, String tenant) {
        assertTableMatchesTruth(world, datasetId, tenant, TABLE, Map.of("amount", "amount"));
    }

    private static void assertTableMatchesTruth(DemoWorld world, String datasetId, String tenant, String table,
                                                Map<String, String> moneyColumns) {
        TableTotals totals = world.freshBooks().truth(tenant).table(table);
        List<Map<String, Object>> rows = world.simulators().powerBi().rows(datasetId, table);
        assertThat(PowerBiTruth.count(rows, tenant)).as(tenant + " " + table + " SUM(sign)").isEqualTo(totals.count());
        for (Map.Entry<String, String> column : moneyColumns.entrySet()) {
            assertThat(PowerBiTruth.sum(rows, tenant, column.getValue()))
                    .as(tenant + " " + table + " SUM(" + column.getValue() + " × sign)")
                    .isEqualByComparingTo(totals.sum(column.getKey()));
        }
    }
}
