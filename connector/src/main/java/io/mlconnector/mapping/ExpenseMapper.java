package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.bool;
import static io.mlconnector.mapping.FreshBooksValues.date;
import static io.mlconnector.mapping.FreshBooksValues.easternWallTime;
import static io.mlconnector.mapping.FreshBooksValues.integer;
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
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Expense → one {@code expenses} row and one {@code cash_movements} row (money out; reference §4.3). The category name is filled when the record
 * was fetched with {@code include[]=category}; otherwise reports join {@code expense_categories} on
 * {@code category_key}.
 */
public final class ExpenseMapper implements RecordMapper {

    /**
     * Expense {@code status}: the docs say 4 is recouped, the node SDK's enum says 3 (reference §8);
     * no other status uses 3, so both read as recouped.
     */
    static final Map<Long, String> STATUS_NAMES = Map.of(
            0L, "internal", 1L, "outstanding", 2L, "invoiced", 3L, "recouped", 4L, "recouped");

    @Override
    public List<Row> map(String tenant, JsonNode expense) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(expense)) {
            return List.of();
        }
        long expenseId = MapperSupport.requireId(expense, "expense", "expenseid", "id");
        Long clientId = optionalId(expense.get("clientid"));
        Long categoryId = optionalId(expense.get("categoryid"));
        Long status = integer(expense.get("status"));
        JsonNode category = expense.get("category");
        String categoryName = category != null && category.isObject() ? text(category.get("category")) : null;
        Instant expenseDate = date(expense.get("date"));
        Instant updated = easternWallTime(expense.get("updated"));
        List<Row> rows = new ArrayList<>();
        rows.add(DatasetModel.EXPENSES.newRow(Long.toString(expenseId))
                .set("tenant", tenant)
                .set("expense_id", expenseId)
                .set("client_id", clientId)
                .set("client_key", key(tenant, clientId))
                .set("category_id", categoryId)
                .set("category_key", key(tenant, categoryId))
                .set("category_name", categoryName)
                .set("vendor", text(expense.get("vendor")))
                .set("expense_date", expenseDate)
                .set("week_start", weekStart(expenseDate))
                .set("amount", money(expense.get("amount")))
                .set("currency_code", moneyCode(expense.get("amount")))
                .set("tax_name1", text(expense.get("taxName1")))
                // On expenses taxAmountN are Money objects (unlike invoice lines).
                .set("tax_amount1", money(expense.get("taxAmount1")))
                .set("tax_name2", text(expense.get("taxName2")))
                .set("tax_amount2", money(expense.get("taxAmount2")))
                // Kept as text: the reference does not pin down the type of an expense's accountid.
                .set("account_id", text(expense.get("accountid")))
                .set("account_name", text(expense.get("account_name")))
                .set("bank_name", text(expense.get("bank_name")))
                .set("status", status)
                .set("status_name", MapperSupport.codeName(STATUS_NAMES, status))
                .set("billable", bool(expense.get("billable")))
                .set("has_receipt", bool(expense.get("has_receipt")))
                .set("is_cogs", bool(expense.get("is_cogs")))
                .set("invoice_id", optionalId(expense.get("invoiceid")))
                .set("project_id", optionalId(expense.get("projectid")))
                .set("staff_id", optionalId(expense.get("staffid")))
                .set("notes", text(expense.get("notes")))
                .set("archived", MapperSupport.isArchived(expense))
                .set("source_updated_utc", updated)
                .build());
        rows.addAll(CashMovements.out(tenant, CashMovements.EXPENSE, expenseId, key(tenant, clientId), null, expenseDate,
                money(expense.get("amount")), moneyCode(expense.get("amount")), updated));
        return rows;
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.EXPENSES, DatasetModel.CASH_MOVEMENTS);
    }
}
