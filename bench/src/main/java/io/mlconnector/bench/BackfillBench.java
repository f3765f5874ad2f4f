package io.mlconnector.bench;

import io.mlconnector.app.Operations;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.sim.powerbi.StoredRow;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Backfill (issue 14, item 3): a business with a backlog of invoices (with lines) is connected and read in full;
 * rows per hour at the rate measured against Power BI's 1,000,000 rows an hour per dataset, and POSTs used per table
 * against the least possible (its rows ÷ 10,000, the most one POST may carry).
 */
final class BackfillBench {

    record TablePosts(String table, long rows, long posts) {
        long minimum() {
            return (rows + 9_999) / 10_000;
        }
    }

    /** {@code startToLast}: from the backfill's start to the last of its rows accepted by Power BI. */
    record Result(int invoices, long rows, Duration startToLast, List<TablePosts> tables) {
        double rowsPerHour() {
            return startToLast.isZero() ? 0 : rows * 3_600_000.0 / startToLast.toMillis();
        }

        long posts() {
            return tables.stream().mapToLong(TablePosts::posts).sum();
        }

        long minimumPosts() {
            return tables.stream().mapToLong(TablePosts::minimum).sum();
        }
    }

    private BackfillBench() {}

    /** Runs this benchmark alone: {@code java -cp ... io.mlconnector.bench.BackfillBench [invoices]} (20,000 by default). */
    public static void main(String[] args) throws java.io.IOException {
        int invoices = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Result result = run(java.nio.file.Files.createTempDirectory("mlc-backfill-bench"), invoices);
        for (TablePosts t : result.tables()) {
            System.out.printf("  %-20s %8d rows %4d POSTs, least possible %d%n", t.table(), t.rows(), t.posts(), t.minimum());
        }
        System.exit(0); // simulators' and Jetty's non-daemon threads
    }

    static Result run(Path dir, int invoices) {
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dir), Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(20); // each business's categories, clients and a vendor
            String account = freshBooks.businesses().get(0).accountId();
            freshBooks.generator().createInvoices(account, invoices);
            List<Tenant> tenants = world.connectBusinesses();
            Operations operations = world.connector().operations();
            Bench.settle(operations); // the dataset's tables made, nothing pushed yet
            Instant start = Instant.now();
            for (Tenant tenant : tenants) {
                operations.backfill(tenant.tenantId(), progress -> {});
            }
            Bench.settle(operations);

            PowerBiSimulator powerBi = world.simulators().powerBi();
            String datasetId = operations.status().datasetId();
            List<TablePosts> tables = new ArrayList<>();
            Instant last = null;
            long rows = 0;
            for (DatasetModel.Table table : DatasetModel.freshBooks("bench").tables()) {
                List<StoredRow> stored = powerBi.storedRows(datasetId, table.name()).stream()
                        .filter(r -> !r.arrivedAt().isBefore(start)).toList();
                long posts = powerBi.postRowsLog().stream().filter(p -> p.datasetId().equals(datasetId)
                        && p.table().equals(table.name()) && p.applied() && !p.receivedAt().isBefore(start)).count();
                if (stored.isEmpty()) {
                    continue;
                }
                rows += stored.size();
                tables.add(new TablePosts(table.name(), stored.size(), posts));
                for (StoredRow r : stored) {
                    last = last == null || r.arrivedAt().isAfter(last) ? r.arrivedAt() : last;
                }
            }
            // From the backfill's start, not from the first row accepted: rows held back for a whole batch would
            // otherwise start the clock later and flatter the rate.
            Result result = new Result(invoices, rows, last == null ? Duration.ZERO : Duration.between(start, last), tables);
            System.out.printf("  %d invoices: %d rows in %.1f s from the start = %.0f rows/h; %d POSTs, least possible %d%n",
                    invoices, rows, result.startToLast().toMillis() / 1000.0, result.rowsPerHour(), result.posts(),
                    result.minimumPosts());
            for (String table : List.of("invoices", "invoice_lines")) {
                System.out.printf("  %s POSTs (s after start: rows):", table);
                powerBi.postRowsLog().stream().filter(p -> p.datasetId().equals(datasetId) && p.table().equals(table)
                                && p.applied() && !p.receivedAt().isBefore(start))
                        .forEach(p -> System.out.printf(" %.1f:%d", Duration.between(start, p.receivedAt()).toMillis() / 1000.0,
                                p.rowCount()));
                System.out.println();
            }
            return result;
        }
    }

}
