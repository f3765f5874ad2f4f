package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.bool;
import static io.mlconnector.mapping.FreshBooksValues.easternWallTime;
import static io.mlconnector.mapping.FreshBooksValues.optionalId;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Expense category → one {@code expense_categories} row (reference §4.3). Its timestamps are not in
 * the reference's list of UTC fields (§7), so they are read as Eastern like other accounting times.
 */
public final class ExpenseCategoryMapper implements RecordMapper {

    @Override
    public List<Row> map(String tenant, JsonNode category) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(category)) {
            return List.of();
        }
        long categoryId = MapperSupport.requireId(category, "category", "categoryid", "id");
        return List.of(DatasetModel.EXPENSE_CATEGORIES.newRow(Long.toString(categoryId))
                .set("tenant", tenant)
                .set("category_id", categoryId)
                .set("category_key", key(tenant, categoryId))
                .set("category_name", text(category.get("category")))
                .set("parent_id", optionalId(category.get("parentid")))
                .set("is_cogs", bool(category.get("is_cogs")))
                .set("is_editable", bool(category.get("is_editable")))
                .set("created_at_utc", easternWallTime(category.get("created_at")))
                .set("archived", MapperSupport.isArchived(category))
                .set("source_updated_utc", easternWallTime(category.get("updated_at")))
                .build());
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.EXPENSE_CATEGORIES);
    }
}
