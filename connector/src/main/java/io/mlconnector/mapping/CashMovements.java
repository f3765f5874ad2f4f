package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.weekStart;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The {@code cash_movements} rows ({@link DatasetModel#CASH_MOVEMENTS}): money that reached or left the business.
 * A payment received is money in, unless it only applied a credit the client already had ({@code from_credit});
 * a bill payment is money out, unless it is matched with an expense (the expense already records that money);
 * an expense is money out at its {@code amount}. Archived records still count (the money moved); deleted ones
 * have no row. Amounts stay in the record's currency ({@code currency_code}); nothing is converted.
 */
final class CashMovements {
    static final String PAYMENT = "payment";
    static final String BILL_PAYMENT = "bill_payment";
    static final String EXPENSE = "expense";

    private CashMovements() {}

    /** Money in from a payment; none for an absent amount. */
    static List<Row> in(String tenant, String kind, long sourceId, String clientKey, Instant date, BigDecimal amount,
                        String currency, Instant sourceUpdated) {
        return row(tenant, kind, sourceId, clientKey, null, date, amount, BigDecimal.ZERO, currency, sourceUpdated);
    }

    /** Money out for a bill payment or an expense; none for an absent amount. */
    static List<Row> out(String tenant, String kind, long sourceId, String clientKey, String vendorKey, Instant date,
                         BigDecimal amount, String currency, Instant sourceUpdated) {
        return row(tenant, kind, sourceId, clientKey, vendorKey, date, BigDecimal.ZERO, amount, currency, sourceUpdated);
    }

    private static List<Row> row(String tenant, String kind, long sourceId, String clientKey, String vendorKey,
                                 Instant date, BigDecimal in, BigDecimal out, String currency, Instant sourceUpdated) {
        if (in == null || out == null) {
            return List.of();
        }
        String movementKey = kind + ":" + sourceId;
        return List.of(DatasetModel.CASH_MOVEMENTS.newRow(movementKey)
                .set("tenant", tenant)
                .set("movement_key", movementKey)
                .set("kind", kind)
                .set("source_id", sourceId)
                .set("client_key", clientKey)
                .set("vendor_key", vendorKey)
                .set("movement_date", date)
                .set("week_start", weekStart(date))
                .set("amount_in", in)
                .set("amount_out", out)
                .set("net_amount", in.subtract(out))
                .set("currency_code", currency)
                .set("source_updated_utc", sourceUpdated)
                .build());
    }
}
