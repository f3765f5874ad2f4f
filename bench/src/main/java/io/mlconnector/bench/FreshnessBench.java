package io.mlconnector.bench;

import io.mlconnector.app.Operations;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.RecordChange;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.sim.powerbi.StoredRow;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Freshness (issue 14, item 2): the simulated businesses change at 1, 10 and 50 events a second (their usual mix of
 * invoices, payments, expenses, bills and clients); each change is timed from FreshBooks to its rows accepted by
 * Power BI, beside the bound the Power BI quota sets for the tables that mix touches.
 */
final class FreshnessBench {

    /**
     * One rate's figures: {@code result} over the changes to fact records (invoices, payments, expenses, bills, and
     * the changes no row shows), {@code dimensions} over changes to clients and vendors, whose changed keys wait for
     * the dimension table's debounced reload, every {@code dimensionRefresh} at most.
     */
    record Point(int askedPerSecond, double eventsPerSecond, int changes, Freshness.Result result,
                 Freshness.Result dimensions, Duration dimensionRefresh, int activeTables, Duration quotaBound) {}

    /** Power BI's documented POST rows limit per dataset (reference powerbi-api.md §4). */
    static final int POSTS_PER_MINUTE = 120;

    private static final List<String> TABLES = io.mlconnector.mapping.DatasetModel.freshBooks("bench").tables().stream()
            .map(io.mlconnector.mapping.DatasetModel.Table::name).toList();

    private FreshnessBench() {}

    static List<Point> run(Path dir, List<Integer> rates, Duration each) {
        List<Point> points = new ArrayList<>();
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dir), Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(100);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                world.connector().operations().backfill(tenant.tenantId(), progress -> {});
            }
            Operations operations = world.connector().operations();
            Bench.settle(operations);
            PowerBiSimulator powerBi = world.simulators().powerBi();
            String datasetId = operations.status().datasetId();
            for (int rate : rates) {
                int seen = freshBooks.changeLog().size();
                Instant start = Instant.now();
                ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
                ticker.scheduleAtFixedRate(() -> freshBooks.generator().step(1), 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
                DemoWorld.pause(each);
                ticker.shutdownNow();
                try {
                    ticker.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Bench.settle(operations);
                List<RecordChange> log = freshBooks.changeLog();
                List<Freshness.Change> changes = log.subList(seen, log.size()).stream()
                        .map(c -> new Freshness.Change(c.at(), c.event().name().substring(0, c.event().name().indexOf('.')),
                                c.event().objectId())).toList();
                List<Freshness.Arrival> arrivals = new ArrayList<>();
                java.util.Set<String> activeTables = new java.util.TreeSet<>();
                for (String table : TABLES) {
                    for (StoredRow row : powerBi.storedRows(datasetId, table)) {
                        if (row.arrivedAt().isBefore(start)) {
                            continue;
                        }
                        activeTables.add(table);
                        String idColumn = Freshness.ID_COLUMN_OF_TABLE.get(table);
                        if (idColumn != null && row.values().get(idColumn) instanceof Number id) {
                            arrivals.add(new Freshness.Arrival(row.arrivedAt(), table, id.longValue()));
                        }
                    }
                }
                Point point = new Point(rate, changes.size() / (double) each.toSeconds(), changes.size(),
                        Freshness.measure(changes.stream().filter(c -> !Freshness.isDimension(c.objectType())).toList(), arrivals),
                        Freshness.measure(changes.stream().filter(c -> Freshness.isDimension(c.objectType())).toList(), arrivals),
                        world.config().pipeline().dimensionRefreshInterval(), activeTables.size(),
                        Freshness.quotaBound(activeTables.size(), POSTS_PER_MINUTE));
                System.out.printf("  %d/s asked, %.1f changes/s: facts p50 %d ms, p99 %d ms, max %d ms (%d without rows);"
                                + " clients and vendors p99 %d ms (%d changes); %d tables, quota bound %d ms%n",
                        rate, point.eventsPerSecond(), point.result().percentile(0.5).toMillis(),
                        point.result().percentile(0.99).toMillis(), point.result().max().toMillis(),
                        point.result().withoutRows(), point.dimensions().percentile(0.99).toMillis(),
                        point.dimensions().latencies().size(), point.activeTables(), point.quotaBound().toMillis());
                points.add(point);
            }
        }
        return points;
    }
}
