package io.mlconnector.demo;

import io.mlconnector.sim.freshbooks.AccountingStore;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.DashboardFigures;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard's figures computed from FreshBooks' own records (the simulator's store), not from any row the
 * connector made: the truth {@link DashboardFigures} over Power BI's rows must equal, every bucket, week and key to
 * the cent. It follows the business rules, not the mapping code: a record deleted ({@code vis_state} 1) counts for
 * nothing, an archived one still counts; a payment from a credit moves no cash; a bill payment matched with an
 * expense is that expense's cash.
 */
final class DashboardTruth {
    private DashboardTruth() {}

    /** The figures of some businesses ({@code tenants}) as FreshBooks holds them, as of {@code asOf}; amounts in cents, no zeros. */
    static Map<String, Object> of(AccountingStore store, List<String> tenants, LocalDate asOf) {
        Map<String, BigDecimal> aging = new TreeMap<>();
        Map<LocalDate, BigDecimal> paymentsByWeek = new TreeMap<>();
        Map<String, BigDecimal> byClient = new TreeMap<>();
        Map<String, BigDecimal> byCategory = new TreeMap<>();
        Map<String, BigDecimal> bills = new TreeMap<>();
        Map<LocalDate, BigDecimal> cashInByWeek = new TreeMap<>();
        Map<LocalDate, BigDecimal> cashOutByWeek = new TreeMap<>();
        BigDecimal cashToDate = BigDecimal.ZERO;
        for (String tenant : tenants) {
            for (ObjectNode invoice : live(store, tenant, Resource.INVOICES)) {
                aging.merge(DashboardFigures.agingBucket(day(invoice.get("due_date")), asOf), money(invoice.get("outstanding")),
                        BigDecimal::add);
            }
            for (ObjectNode payment : live(store, tenant, Resource.PAYMENTS)) {
                LocalDate on = day(payment.get("date"));
                BigDecimal amount = money(payment.get("amount"));
                paymentsByWeek.merge(DashboardFigures.weekStart(on), amount, BigDecimal::add);
                if (!payment.path("from_credit").asBoolean(false)) {
                    cashInByWeek.merge(DashboardFigures.weekStart(on), amount, BigDecimal::add);
                    cashToDate = on.isAfter(asOf) ? cashToDate : cashToDate.add(amount);
                }
            }
            for (ObjectNode expense : live(store, tenant, Resource.EXPENSES)) {
                LocalDate on = day(expense.get("date"));
                BigDecimal amount = money(expense.get("amount"));
                byClient.merge(key(tenant, expense.get("clientid")), amount, BigDecimal::add);
                byCategory.merge(key(tenant, expense.get("categoryid")), amount, BigDecimal::add);
                cashOutByWeek.merge(DashboardFigures.weekStart(on), amount, BigDecimal::add);
                cashToDate = on.isAfter(asOf) ? cashToDate : cashToDate.subtract(amount);
            }
            Set<Long> liveBills = new HashSet<>();
            for (ObjectNode bill : live(store, tenant, Resource.BILLS)) {
                liveBills.add(bill.path("id").asLong());
                LocalDate due = day(bill.get("due_date"));
                bills.merge(due == null || !due.isBefore(asOf) ? "due" : "overdue", money(bill.get("outstanding")),
                        BigDecimal::add);
            }
            for (ObjectNode payment : live(store, tenant, Resource.BILL_PAYMENTS)) {
                if (!liveBills.contains(payment.path("billid").asLong()) || payment.path("matched_with_expense").asBoolean(false)) {
                    continue;
                }
                LocalDate on = day(payment.get("paid_date"));
                BigDecimal amount = money(payment.get("amount"));
                cashOutByWeek.merge(DashboardFigures.weekStart(on), amount, BigDecimal::add);
                cashToDate = on.isAfter(asOf) ? cashToDate : cashToDate.subtract(amount);
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("aging", cents(aging));
        figures.put("payments by week", cents(paymentsByWeek));
        figures.put("expenses by client", cents(byClient));
        figures.put("expenses by category", cents(byCategory));
        figures.put("bills", cents(bills));
        figures.put("cash in by week", cents(cashInByWeek));
        figures.put("cash out by week", cents(cashOutByWeek));
        figures.put("cash to date", cents(cashToDate));
        return figures;
    }

    /** The same shape from the figures over Power BI's rows. */
    static Map<String, Object> of(DashboardFigures figures) {
        Map<LocalDate, BigDecimal> in = new TreeMap<>();
        Map<LocalDate, BigDecimal> out = new TreeMap<>();
        figures.cashByWeek().forEach((week, cash) -> {
            in.put(week, cash.in());
            out.put(week, cash.out());
        });
        Map<String, BigDecimal> bills = new TreeMap<>(Map.of("due", figures.billsDue(), "overdue", figures.billsOverdue()));
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("aging", cents(figures.aging()));
        shape.put("payments by week", cents(figures.paymentsByWeek()));
        shape.put("expenses by client", cents(figures.expensesByClient()));
        shape.put("expenses by category", cents(figures.expensesByCategory()));
        shape.put("bills", cents(bills));
        shape.put("cash in by week", cents(in));
        shape.put("cash out by week", cents(out));
        shape.put("cash to date", cents(figures.cashToDate()));
        return shape;
    }

    private static List<ObjectNode> live(AccountingStore store, String tenant, Resource resource) {
        return store.all(tenant, resource).stream().filter(r -> r.path("vis_state").asInt() != 1).toList();
    }

    private static String key(String tenant, JsonNode id) {
        return id == null || id.isNull() || id.asLong() == 0 ? "" : tenant + "|" + id.asLong();
    }

    private static BigDecimal money(JsonNode money) {
        return money == null || money.isNull() ? BigDecimal.ZERO : new BigDecimal(money.path("amount").asString());
    }

    private static LocalDate day(JsonNode date) {
        return date == null || date.isNull() || date.asString().isBlank() ? null : LocalDate.parse(date.asString());
    }

    private static String cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** Amounts as exact cent strings, zero sums left out (a week whose payments were all deleted holds nothing). */
    private static <K> Map<K, String> cents(Map<K, BigDecimal> amounts) {
        Map<K, String> cents = new TreeMap<>();
        amounts.forEach((key, amount) -> {
            if (amount.signum() != 0) {
                cents.put(key, cents(amount));
            }
        });
        return cents;
    }
}
