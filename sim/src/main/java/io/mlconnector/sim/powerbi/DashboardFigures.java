package io.mlconnector.sim.powerbi;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The firm's dashboard, evaluated in Java over a dataset's rows as its DAX measures read them (ml-connector's
 * {@code DatasetModel}): every amount is {@code SUM(column × sign)}, and a dimension (clients, categories) names a
 * key by its current row. For one business ({@code tenant}) or, with a null tenant, across all in the dataset.
 *
 * @param aging              invoices' outstanding by days past due as of {@code asOf}: {@link #AGING_BUCKETS}
 * @param paymentsByWeek     payments' amount by {@code week_start} (Mondays)
 * @param expensesByClient   expenses' amount by {@code client_key} ("" for none)
 * @param expensesByCategory expenses' amount by {@code category_key} ("" for none)
 * @param billsDue           bills' outstanding not yet past due (or with no due date) as of {@code asOf}
 * @param billsOverdue       bills' outstanding past due as of {@code asOf}
 * @param cashByWeek         {@code cash_movements} by {@code week_start}: in, out and net
 * @param cashToDate         net cash of every movement dated {@code asOf} or earlier
 * @param names              a display name per client or category key, from the dimension tables
 */
public record DashboardFigures(String tenant, LocalDate asOf, Map<String, BigDecimal> aging,
                               Map<LocalDate, BigDecimal> paymentsByWeek, Map<String, BigDecimal> expensesByClient,
                               Map<String, BigDecimal> expensesByCategory, BigDecimal billsDue, BigDecimal billsOverdue,
                               Map<LocalDate, Cash> cashByWeek, BigDecimal cashToDate, Map<String, String> names) {

    /** The aging buckets, in order: days past due 0 or less (or no due date), 1–30, 31–60, 61–90, over 90. */
    public static final List<String> AGING_BUCKETS = List.of("current", "1-30", "31-60", "61-90", "90+");

    /** Money in and out in one week. */
    public record Cash(BigDecimal in, BigDecimal out) {
        public BigDecimal net() {
            return in.subtract(out);
        }

        Cash plus(BigDecimal moreIn, BigDecimal moreOut) {
            return new Cash(in.add(moreIn), out.add(moreOut));
        }
    }

    /** The figures from {@code rows} (a table name to its rows, values as the simulator stores them). */
    public static DashboardFigures of(Function<String, List<Map<String, Object>>> rows, String tenant, LocalDate asOf) {
        Map<String, BigDecimal> aging = new LinkedHashMap<>();
        AGING_BUCKETS.forEach(bucket -> aging.put(bucket, BigDecimal.ZERO));
        for (Map<String, Object> invoice : of(rows, "invoices", tenant)) {
            aging.merge(agingBucket(date(invoice.get("due_date")), asOf), signed(invoice, "outstanding"), BigDecimal::add);
        }
        Map<LocalDate, BigDecimal> paymentsByWeek = new TreeMap<>();
        for (Map<String, Object> payment : of(rows, "payments", tenant)) {
            LocalDate week = date(payment.get("week_start"));
            if (week != null) {
                paymentsByWeek.merge(week, signed(payment, "amount"), BigDecimal::add);
            }
        }
        Map<String, BigDecimal> byClient = new TreeMap<>();
        Map<String, BigDecimal> byCategory = new TreeMap<>();
        for (Map<String, Object> expense : of(rows, "expenses", tenant)) {
            byClient.merge(text(expense.get("client_key")), signed(expense, "amount"), BigDecimal::add);
            byCategory.merge(text(expense.get("category_key")), signed(expense, "amount"), BigDecimal::add);
        }
        BigDecimal billsDue = BigDecimal.ZERO;
        BigDecimal billsOverdue = BigDecimal.ZERO;
        for (Map<String, Object> bill : of(rows, "bills", tenant)) {
            LocalDate due = date(bill.get("due_date"));
            if (due == null || !due.isBefore(asOf)) {
                billsDue = billsDue.add(signed(bill, "outstanding"));
            } else {
                billsOverdue = billsOverdue.add(signed(bill, "outstanding"));
            }
        }
        Map<LocalDate, Cash> cashByWeek = new TreeMap<>();
        BigDecimal cashToDate = BigDecimal.ZERO;
        for (Map<String, Object> movement : of(rows, "cash_movements", tenant)) {
            LocalDate week = date(movement.get("week_start"));
            if (week != null) {
                cashByWeek.merge(week, new Cash(signed(movement, "amount_in"), signed(movement, "amount_out")),
                        (a, b) -> a.plus(b.in(), b.out()));
            }
            LocalDate on = date(movement.get("movement_date"));
            if (on != null && !on.isAfter(asOf)) {
                cashToDate = cashToDate.add(signed(movement, "net_amount"));
            }
        }
        Map<String, String> names = new TreeMap<>();
        for (Map<String, Object> client : of(rows, "clients", tenant)) {
            names.put(text(client.get("client_key")), clientName(client));
        }
        for (Map<String, Object> category : of(rows, "expense_categories", tenant)) {
            names.put(text(category.get("category_key")), text(category.get("category_name")));
        }
        return new DashboardFigures(tenant, asOf, aging, paymentsByWeek, byClient, byCategory, billsDue, billsOverdue,
                cashByWeek, cashToDate, names);
    }

    /** The bucket of an invoice due on {@code due} (null: none given), as of {@code asOf}. */
    public static String agingBucket(LocalDate due, LocalDate asOf) {
        long daysPastDue = due == null ? 0 : ChronoUnit.DAYS.between(due, asOf);
        if (daysPastDue <= 0) {
            return "current";
        } else if (daysPastDue <= 30) {
            return "1-30";
        } else if (daysPastDue <= 60) {
            return "31-60";
        } else if (daysPastDue <= 90) {
            return "61-90";
        }
        return "90+";
    }

    /** The Monday of the week holding {@code day} (weeks start on Monday). */
    public static LocalDate weekStart(LocalDate day) {
        return day.minusDays(day.getDayOfWeek().getValue() - 1L);
    }

    /** All outstanding invoices' amount, over every bucket. */
    public BigDecimal outstanding() {
        return aging.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static List<Map<String, Object>> of(Function<String, List<Map<String, Object>>> rows, String table,
                                                String tenant) {
        List<Map<String, Object>> all = rows.apply(table);
        return tenant == null ? all : all.stream().filter(r -> tenant.equals(r.get("tenant"))).toList();
    }

    private static BigDecimal signed(Map<String, Object> row, String column) {
        Object value = row.get(column);
        BigDecimal amount = value == null ? BigDecimal.ZERO
                : value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
        return amount.multiply(BigDecimal.valueOf(((Number) row.get("sign")).longValue()));
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String clientName(Map<String, Object> client) {
        String organization = text(client.get("organization"));
        return organization.isBlank() ? (text(client.get("first_name")) + " " + text(client.get("last_name"))).strip()
                : organization;
    }

    /** A DateTime column's day: the simulator keeps the value as sent (UTC midnight for a date). */
    static LocalDate date(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        try {
            return OffsetDateTime.parse(text).atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text).toLocalDate();
        }
    }
}
