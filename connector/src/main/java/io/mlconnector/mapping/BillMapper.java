package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.bool;
import static io.mlconnector.mapping.FreshBooksValues.date;
import static io.mlconnector.mapping.FreshBooksValues.decimal;
import static io.mlconnector.mapping.FreshBooksValues.integer;
import static io.mlconnector.mapping.FreshBooksValues.money;
import static io.mlconnector.mapping.FreshBooksValues.moneyCode;
import static io.mlconnector.mapping.FreshBooksValues.optionalId;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.FreshBooksValues.utcWallTime;
import static io.mlconnector.mapping.FreshBooksValues.weekStart;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Bill → one {@code bills} row, one {@code bill_lines} row per line (its category coding) and one
 * {@code bill_payments} row per embedded bill payment that is not deleted (reference §4.5, §4.6), with its
 * {@code cash_movements} row unless it is matched with an expense.
 * Bills carry UTC wall times ({@code created_at}/{@code updated_at}, reference §7).
 */
public final class BillMapper implements RecordMapper {

    @Override
    public List<Row> map(String tenant, JsonNode bill) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(bill)) {
            return List.of();
        }
        long billId = MapperSupport.requireId(bill, "bill", "id");
        Long vendorId = optionalId(bill.get("vendorid"));
        String currency = text(bill.get("currency_code"));
        // Bill payments and lines have no timestamp of their own: they are versions of this bill.
        Instant updated = utcWallTime(bill.get("updated_at"));

        List<Row> rows = new ArrayList<>();
        rows.add(DatasetModel.BILLS.newRow(Long.toString(billId))
                .set("tenant", tenant)
                .set("bill_id", billId)
                .set("bill_key", key(tenant, billId))
                .set("bill_number", text(bill.get("bill_number")))
                .set("vendor_id", vendorId)
                .set("vendor_key", key(tenant, vendorId))
                .set("issue_date", date(bill.get("issue_date")))
                .set("due_date", date(bill.get("due_date")))
                .set("currency_code", currency)
                .set("amount", money(bill.get("amount")))
                .set("tax_amount", money(bill.get("tax_amount")))
                .set("total_amount", money(bill.get("total_amount")))
                .set("paid", money(bill.get("paid")))
                .set("outstanding", money(bill.get("outstanding")))
                .set("status", text(bill.get("status")))
                .set("overall_category", text(bill.get("overall_category")))
                .set("overall_description", text(bill.get("overall_description")))
                .set("archived", MapperSupport.isArchived(bill))
                .set("created_at_utc", utcWallTime(bill.get("created_at")))
                .set("source_updated_utc", updated)
                .build());

        int position = 0;
        for (JsonNode line : MapperSupport.elements(bill.get("lines"))) {
            position++;
            Long listIndex = integer(line.get("list_index"));
            long lineIndex = listIndex != null ? listIndex : position;
            Long categoryId = optionalId(line.get("categoryid"));
            rows.add(DatasetModel.BILL_LINES.newRow(billId + "/" + lineIndex)
                    .set("tenant", tenant)
                    .set("bill_id", billId)
                    .set("line_index", lineIndex)
                    .set("bill_key", key(tenant, billId))
                    .set("category_id", categoryId)
                    .set("category_key", key(tenant, categoryId))
                    .set("category_name", categoryName(line.get("category")))
                    .set("description", text(line.get("description")))
                    .set("quantity", decimal(line.get("quantity")))
                    .set("unit_cost", money(line.get("unit_cost")))
                    .set("amount", money(line.get("amount")))
                    .set("total_amount", money(line.get("total_amount")))
                    .set("currency_code", currencyOf(line.get("total_amount"), currency))
                    .set("tax_name1", text(line.get("tax_name1")))
                    .set("tax_percent1", decimal(line.get("tax_percent1")))
                    .set("tax_amount1", money(line.get("tax_amount1")))
                    .set("tax_name2", text(line.get("tax_name2")))
                    .set("tax_percent2", decimal(line.get("tax_percent2")))
                    .set("tax_amount2", money(line.get("tax_amount2")))
                    .set("source_updated_utc", updated)
                    .build());
        }

        for (JsonNode payment : MapperSupport.elements(bill.get("bill_payments"))) {
            if (MapperSupport.isDeleted(payment)) {
                continue;
            }
            long paymentId = MapperSupport.requireId(payment, "bill payment", "id");
            Instant paidDate = date(payment.get("paid_date"));
            rows.add(DatasetModel.BILL_PAYMENTS.newRow(Long.toString(paymentId))
                    .set("tenant", tenant)
                    .set("bill_payment_id", paymentId)
                    .set("bill_id", billId)
                    .set("bill_key", key(tenant, billId))
                    .set("vendor_id", vendorId)
                    .set("vendor_key", key(tenant, vendorId))
                    .set("amount", money(payment.get("amount")))
                    .set("currency_code", currencyOf(payment.get("amount"), currency))
                    .set("paid_date", paidDate)
                    .set("week_start", weekStart(paidDate))
                    .set("payment_type", text(payment.get("payment_type")))
                    .set("matched_with_expense", bool(payment.get("matched_with_expense")))
                    .set("note", text(payment.get("note")))
                    .set("archived", MapperSupport.isArchived(payment))
                    .set("source_updated_utc", updated)
                    .build());
            if (!Boolean.TRUE.equals(bool(payment.get("matched_with_expense")))) {
                rows.addAll(CashMovements.out(tenant, CashMovements.BILL_PAYMENT, paymentId, null, key(tenant, vendorId),
                        paidDate, money(payment.get("amount")), currencyOf(payment.get("amount"), currency), updated));
            }
        }
        return rows;
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.BILLS, DatasetModel.BILL_LINES, DatasetModel.BILL_PAYMENTS, DatasetModel.CASH_MOVEMENTS);
    }

    /** A bill line's {@code category} is seen both as a name and as a category object. */
    private static String categoryName(JsonNode category) {
        if (category != null && category.isObject()) {
            return text(category.get("category"));
        }
        return text(category);
    }

    private static String currencyOf(JsonNode money, String fallback) {
        String code = moneyCode(money);
        return code != null ? code : fallback;
    }
}
