package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.bool;
import static io.mlconnector.mapping.FreshBooksValues.isoInstant;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Ledger account (chart of accounts, reference §4.10) → one {@code accounts} row. These records are
 * keyed by uuid and stamped in ISO-8601 UTC. They have no {@code vis_state}; a deleted account is
 * simply absent from the next sync, which the pipeline handles.
 */
public final class LedgerAccountMapper implements RecordMapper {

    @Override
    public List<Row> map(String tenant, JsonNode account) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(account)) {
            return List.of();
        }
        String uuid = MapperSupport.requireText(account, "ledger account", "uuid");
        return List.of(DatasetModel.ACCOUNTS.newRow(uuid)
                .set("tenant", tenant)
                .set("account_uuid", uuid)
                .set("account_key", key(tenant, uuid))
                .set("account_number", text(account.get("number")))
                .set("account_name", text(account.get("name")))
                .set("description", text(account.get("description")))
                .set("account_type", text(account.get("type")))
                .set("account_sub_type", text(account.get("sub_type")))
                .set("system_account_name", text(account.get("system_account_name")))
                .set("parent_account_uuid", text(account.get("parent_account")))
                .set("auto_created", bool(account.get("auto_created")))
                .set("state", text(account.get("state")))
                .set("source_updated_utc", isoInstant(account.get("updated_at")))
                .build());
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.ACCOUNTS);
    }
}
