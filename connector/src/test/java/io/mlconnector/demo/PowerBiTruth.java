package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.freshbooks.TableTotals;
import io.mlconnector.sim.freshbooks.Truth;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a Power BI report would show from the simulator's rows: SUM(sign) and SUM(column × sign), per
 * tenant, optionally per record. Used to compare against FreshBooks' truth.
 */
final class PowerBiTruth {
    /** Truth money columns (FreshBooks wire names) → Power BI columns. */
    static final Map<String, Map<String, String>> MONEY_COLUMNS = Map.of(
            "invoices", Map.of("amount", "amount", "paid", "paid", "outstanding", "outstanding",
                    "discount_total", "discount_total"),
            "invoice_lines", Map.of("amount", "amount"),
            "payments", Map.of("amount", "amount"),
            "expenses", Map.of("amount", "amount", "taxAmount1", "tax_amount1", "taxAmount2", "tax_amount2"),
            "bills", Map.of("amount", "amount", "tax_amount", "tax_amount", "total_amount", "total_amount",
                    "paid", "paid", "outstanding", "outstanding"),
            "bill_payments", Map.of("amount", "amount"),
            "clients", Map.of(),
            "vendors", Map.of());

    private PowerBiTruth() {}

    static void assertTenantMatchesTruth(DemoWorld world, String datasetId, String tenant) {
        PowerBiSimulator powerBi = world.simulators().powerBi();
        // Record by record first: every live record once, at its current amount; deleted ones gone. A difference
        // names the record and shows its rows (with their batches), which a table's sum cannot.
        for (RecordCheck check : RECORD_CHECKS) {
            List<Map<String, Object>> rows = powerBi.rows(datasetId, check.table());
            Map<String, Long> counts = countById(rows, tenant, check.idColumn());
            Map<String, BigDecimal> amounts = sumById(rows, tenant, check.idColumn(), "amount");
            for (ObjectNode record : world.freshBooks().store().all(tenant, check.resource())) {
                String id = record.path("id").asString();
                boolean live = record.path("vis_state").asInt() != 1;
                java.util.function.Supplier<String> what = () -> check.table() + " " + id + " (its rows in Power BI: "
                        + rowsOfRecord(rows, tenant, check.idColumn(), id) + ")";
                assertThat(counts.getOrDefault(id, 0L)).as(() -> what.get() + " SUM(sign)").isEqualTo(live ? 1L : 0L);
                if (check.hasAmount()) {
                    BigDecimal expected = live ? new BigDecimal(record.path("amount").path("amount").asString())
                            : BigDecimal.ZERO;
                    assertThat(amounts.getOrDefault(id, BigDecimal.ZERO)).as(() -> what.get() + " amount")
                            .isEqualByComparingTo(expected);
                }
            }
        }
        Truth truth = world.freshBooks().truth(tenant);
        for (Map.Entry<String, Map<String, String>> table : MONEY_COLUMNS.entrySet()) {
            TableTotals totals = truth.table(table.getKey());
            List<Map<String, Object>> rows = powerBi.rows(datasetId, table.getKey());
            assertThat(count(rows, tenant)).as(tenant + " " + table.getKey() + " SUM(sign)")
                    .isEqualTo(totals.count());
            for (Map.Entry<String, String> column : table.getValue().entrySet()) {
                assertThat(sum(rows, tenant, column.getValue()))
                        .as(tenant + " " + table.getKey() + " SUM(" + column.getValue() + " × sign)")
                        .isEqualByComparingTo(totals.sum(column.getKey()));
            }
        }
    }

    /** One record's rows: sign, amount, FreshBooks version, batch and push time of each. */
    private static List<String> rowsOfRecord(List<Map<String, Object>> rows, String tenant, String idColumn, String id) {
        return rows.stream().filter(r -> tenant.equals(r.get("tenant")) && id.equals(String.valueOf(r.get(idColumn))))
                .map(r -> r.get("sign") + " " + r.get("amount") + " v" + r.get("source_updated_utc") + " batch "
                        + r.get("batch_id") + " at " + r.get("pushed_at_utc"))
                .toList();
    }

    /** A table checked record by record: its id column, and whether its amount is FreshBooks' Money {@code amount}. */
    private record RecordCheck(String table, Resource resource, String idColumn, boolean hasAmount) {}

    private static final List<RecordCheck> RECORD_CHECKS = List.of(
            new RecordCheck("invoices", Resource.INVOICES, "invoice_id", true),
            new RecordCheck("payments", Resource.PAYMENTS, "payment_id", true),
            new RecordCheck("expenses", Resource.EXPENSES, "expense_id", true),
            new RecordCheck("clients", Resource.CLIENTS, "client_id", false));

    /** No outbox row reached Power BI twice (see {@link #assertEachRowPushedOnce(PowerBiSimulator, String, ConnectorConfig.Store)}). */
    static void assertEachRowPushedOnce(PowerBiSimulator powerBi, DemoWorld world) {
        assertEachRowPushedOnce(powerBi, world.connector().operations().status().datasetId(), world.config().store());
    }

    /**
     * No outbox row reached the dataset {@code datasetId} twice: for every batch Power BI holds rows of, it holds as
     * many as the connector's outbox ({@code store}) put in that batch. A batch applied twice shows twice its rows; a
     * row batched again after Power BI had it shows under a batch that no longer counts it. Equal values are not
     * compared across batches: a record may legitimately return to an earlier state within its version's second (a
     * bill paid and its payment deleted within one second), and then the ledger rightly pushes the same row again.
     */
    static void assertEachRowPushedOnce(PowerBiSimulator powerBi, String datasetId, ConnectorConfig.Store store) {
        Map<String, Map<String, Long>> outbox = outboxRowsByTableAndBatch(store);
        List<String> differences = new ArrayList<>();
        outbox.forEach((table, batches) -> {
            Map<String, Long> inPowerBi = new HashMap<>();
            for (Map<String, Object> row : powerBi.rows(datasetId, table)) {
                inPowerBi.merge(String.valueOf(row.get("batch_id")), 1L, Long::sum);
            }
            inPowerBi.forEach((batch, rows) -> {
                long batched = batches.getOrDefault(batch, 0L);
                if (rows != batched) {
                    differences.add(table + " batch " + batch + ": " + rows + " rows in Power BI, " + batched + " in the outbox");
                }
            });
        });
        assertThat(outbox).as("outbox rows in batches").isNotEmpty();
        assertThat(differences).as("rows Power BI holds more (or less) often than the outbox batched them").isEmpty();
    }

    /** Outbox rows per table and batch id, read from the connector's store. */
    private static Map<String, Map<String, Long>> outboxRowsByTableAndBatch(ConnectorConfig.Store store) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.jdbcUrl(), store.username(), store.password());
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT table_name, batch_id, COUNT(*) FROM outbox_row"
                     + " WHERE batch_id IS NOT NULL GROUP BY table_name, batch_id")) {
            Map<String, Map<String, Long>> rows = new HashMap<>();
            while (rs.next()) {
                rows.computeIfAbsent(rs.getString(1), t -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
            return rows;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No batch's rows were applied by two POSTs (the simulator's log of applied POSTs, by batch id). */
    static void assertNoBatchAppliedTwice(PowerBiSimulator powerBi) {
        Map<String, Integer> applied = new HashMap<>();
        for (PostRowsRecord post : powerBi.postRowsLog()) {
            if (post.applied()) {
                post.batchIds().forEach(id -> applied.merge(id, 1, Integer::sum));
            }
        }
        assertThat(applied).as("batches applied more than once").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }


    static long count(List<Map<String, Object>> rows, String tenant) {
        return rows.stream().filter(r -> tenant.equals(r.get("tenant"))).mapToLong(r -> sign(r)).sum();
    }

    static BigDecimal sum(List<Map<String, Object>> rows, String tenant, String column) {
        return rows.stream().filter(r -> tenant.equals(r.get("tenant")))
                .map(r -> decimal(r.get(column)).multiply(BigDecimal.valueOf(sign(r))))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** SUM(sign) per value of {@code idColumn}, for one tenant. */
    static Map<String, Long> countById(List<Map<String, Object>> rows, String tenant, String idColumn) {
        Map<String, Long> counts = new HashMap<>();
        rows.stream().filter(r -> tenant.equals(r.get("tenant")))
                .forEach(r -> counts.merge(String.valueOf(r.get(idColumn)), (long) sign(r), Long::sum));
        return counts;
    }

    /** SUM(column × sign) per value of {@code idColumn}, for one tenant. */
    static Map<String, BigDecimal> sumById(List<Map<String, Object>> rows, String tenant, String idColumn, String column) {
        Map<String, BigDecimal> sums = new HashMap<>();
        rows.stream().filter(r -> tenant.equals(r.get("tenant"))).forEach(r -> sums.merge(
                String.valueOf(r.get(idColumn)), decimal(r.get(column)).multiply(BigDecimal.valueOf(sign(r))),
                BigDecimal::add));
        return sums;
    }

    static int sign(Map<String, Object> row) {
        return ((Number) Objects.requireNonNull(row.get("sign"), "row without sign")).intValue();
    }

    static BigDecimal decimal(Object value) {
        if (value == null) {
            return BigDecimal.ZERO;
        }
        return value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
    }
}
