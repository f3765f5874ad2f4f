package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.bool;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.FreshBooksValues.utcWallTime;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Bill vendor → one {@code vendors} row (reference §4.7); its timestamps are UTC wall times (§7). */
public final class VendorMapper implements RecordMapper {

    @Override
    public List<Row> map(String tenant, JsonNode vendor) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(vendor)) {
            return List.of();
        }
        long vendorId = MapperSupport.requireId(vendor, "bill vendor", "vendorid", "id");
        return List.of(DatasetModel.VENDORS.newRow(Long.toString(vendorId))
                .set("tenant", tenant)
                .set("vendor_id", vendorId)
                .set("vendor_key", key(tenant, vendorId))
                .set("vendor_name", text(vendor.get("vendor_name")))
                .set("account_number", text(vendor.get("account_number")))
                .set("contact_email", text(vendor.get("primary_contact_email")))
                .set("city", text(vendor.get("city")))
                .set("province", text(vendor.get("province")))
                .set("country", text(vendor.get("country")))
                .set("currency_code", text(vendor.get("currency_code")))
                .set("is_1099", bool(vendor.get("is_1099")))
                .set("created_at_utc", utcWallTime(vendor.get("created_at")))
                .set("archived", MapperSupport.isArchived(vendor))
                .set("source_updated_utc", utcWallTime(vendor.get("updated_at")))
                .build());
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.VENDORS);
    }
}
