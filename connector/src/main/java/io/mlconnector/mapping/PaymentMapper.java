package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.bool;
import static io.mlconnector.mapping.FreshBooksValues.date;
import static io.mlconnector.mapping.FreshBooksValues.easternWallTime;
import static io.mlconnector.mapping.FreshBooksValues.money;
import static io.mlconnector.mapping.FreshBooksValues.moneyCode;
import static io.mlconnector.mapping.FreshBooksValues.optionalId;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.FreshBooksValues.weekStart;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Payment → one {@code payments} row and, unless it applied a credit, one {@code cash_movements} row (reference §4.2). */
public final class PaymentMapper implements RecordMapper {

    @Override
    public List<Row> map(String tenant, JsonNode payment) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(payment)) {
            return List.of();
        }
        long paymentId = MapperSupport.requireId(payment, "payment", "logid", "id");
        Long invoiceId = optionalId(payment.get("invoiceid"));
        Long clientId = optionalId(payment.get("clientid"));
        Instant paymentDate = date(payment.get("date"));
        Instant updated = easternWallTime(payment.get("updated"));
        List<Row> rows = new ArrayList<>();
        rows.add(DatasetModel.PAYMENTS.newRow(Long.toString(paymentId))
                .set("tenant", tenant)
                .set("payment_id", paymentId)
                .set("invoice_id", invoiceId)
                .set("invoice_key", key(tenant, invoiceId))
                .set("client_id", clientId)
                .set("client_key", key(tenant, clientId))
                .set("amount", money(payment.get("amount")))
                .set("currency_code", moneyCode(payment.get("amount")))
                .set("payment_date", paymentDate)
                .set("week_start", weekStart(paymentDate))
                .set("payment_type", text(payment.get("type")))
                .set("from_credit", bool(payment.get("from_credit")))
                .set("credit_id", optionalId(payment.get("creditid")))
                .set("overpayment_id", optionalId(payment.get("overpaymentid")))
                .set("gateway", text(payment.get("gateway")))
                .set("note", text(payment.get("note")))
                .set("archived", MapperSupport.isArchived(payment))
                .set("source_updated_utc", updated)
                .build());
        if (!Boolean.TRUE.equals(bool(payment.get("from_credit")))) {
            rows.addAll(CashMovements.in(tenant, CashMovements.PAYMENT, paymentId, key(tenant, clientId), paymentDate,
                    money(payment.get("amount")), moneyCode(payment.get("amount")), updated));
        }
        return rows;
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.PAYMENTS, DatasetModel.CASH_MOVEMENTS);
    }
}
