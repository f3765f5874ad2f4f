package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.date;
import static io.mlconnector.mapping.FreshBooksValues.decimal;
import static io.mlconnector.mapping.FreshBooksValues.easternWallTime;
import static io.mlconnector.mapping.FreshBooksValues.integer;
import static io.mlconnector.mapping.FreshBooksValues.money;
import static io.mlconnector.mapping.FreshBooksValues.moneyCode;
import static io.mlconnector.mapping.FreshBooksValues.optionalId;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Invoice (fetched with {@code include[]=lines}) → one {@code invoices} row + one {@code invoice_lines} row per line (reference §4.1). */
public final class InvoiceMapper implements RecordMapper {

    /** Invoice {@code status} codes (reference §4.1). */
    static final Map<Long, String> STATUS_NAMES = Map.of(
            0L, "disputed", 1L, "draft", 2L, "sent", 3L, "viewed", 4L, "paid",
            5L, "auto-paid", 6L, "retry", 7L, "failed", 8L, "partial");

    @Override
    public List<Row> map(String tenant, JsonNode invoice) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(invoice)) {
            return List.of();
        }
        long invoiceId = MapperSupport.requireId(invoice, "invoice", "invoiceid", "id");
        Long clientId = optionalId(invoice.get("customerid"));
        Long status = integer(invoice.get("status"));
        String currency = text(invoice.get("currency_code"));
        // One version of the record produced every row, so all rows carry the invoice's `updated`.
        Instant updated = easternWallTime(invoice.get("updated"));

        List<Row> rows = new ArrayList<>();
        rows.add(DatasetModel.INVOICES.newRow(Long.toString(invoiceId))
                .set("tenant", tenant)
                .set("invoice_id", invoiceId)
                .set("invoice_key", key(tenant, invoiceId))
                .set("invoice_number", text(invoice.get("invoice_number")))
                .set("client_id", clientId)
                .set("client_key", key(tenant, clientId))
                .set("organization", text(invoice.get("organization")))
                .set("currency_code", currency)
                .set("create_date", date(invoice.get("create_date")))
                .set("due_date", date(invoice.get("due_date")))
                .set("date_paid", date(invoice.get("date_paid")))
                .set("amount", money(invoice.get("amount")))
                .set("paid", money(invoice.get("paid")))
                .set("outstanding", money(invoice.get("outstanding")))
                .set("discount_total", money(invoice.get("discount_total")))
                .set("status", status)
                .set("status_name", MapperSupport.codeName(STATUS_NAMES, status))
                .set("v3_status", text(invoice.get("v3_status")))
                .set("payment_status", text(invoice.get("payment_status")))
                .set("display_status", text(invoice.get("display_status")))
                .set("archived", MapperSupport.isArchived(invoice))
                .set("created_at_utc", easternWallTime(invoice.get("created_at")))
                .set("source_updated_utc", updated)
                .build());

        for (JsonNode line : MapperSupport.elements(invoice.get("lines"))) {
            long lineId = MapperSupport.requireId(line, "invoice line", "lineid");
            String lineCurrency = moneyCode(line.get("amount"));
            rows.add(DatasetModel.INVOICE_LINES.newRow(invoiceId + "/" + lineId)
                    .set("tenant", tenant)
                    .set("invoice_id", invoiceId)
                    .set("line_id", lineId)
                    .set("invoice_key", key(tenant, invoiceId))
                    .set("line_type", integer(line.get("type")))
                    .set("name", text(line.get("name")))
                    .set("description", text(line.get("description")))
                    .set("qty", decimal(line.get("qty")))
                    .set("unit_cost", money(line.get("unit_cost")))
                    .set("amount", money(line.get("amount")))
                    .set("currency_code", lineCurrency != null ? lineCurrency : currency)
                    .set("tax_name1", text(line.get("taxName1")))
                    // taxAmountN on invoice lines is a percentage string ("13"), not money (reference §4.1).
                    .set("tax_percent1", decimal(line.get("taxAmount1")))
                    .set("tax_name2", text(line.get("taxName2")))
                    .set("tax_percent2", decimal(line.get("taxAmount2")))
                    .set("expense_id", optionalId(line.get("expenseid")))
                    .set("source_updated_utc", updated)
                    .build());
        }
        return rows;
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.INVOICES, DatasetModel.INVOICE_LINES);
    }
}
