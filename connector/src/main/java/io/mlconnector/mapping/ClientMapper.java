package io.mlconnector.mapping;

import static io.mlconnector.mapping.FreshBooksValues.easternWallTime;
import static io.mlconnector.mapping.FreshBooksValues.text;
import static io.mlconnector.mapping.FreshBooksValues.utcWallTime;
import static io.mlconnector.mapping.MapperSupport.key;

import io.mlconnector.mapping.DatasetModel.Table;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Client → one {@code clients} row (reference §4.4): {@code updated} is Eastern, {@code signup_date} UTC (§7). */
public final class ClientMapper implements RecordMapper {

    @Override
    public List<Row> map(String tenant, JsonNode client) {
        MapperSupport.requireTenant(tenant);
        if (MapperSupport.isDeleted(client)) {
            return List.of();
        }
        long clientId = MapperSupport.requireId(client, "client", "userid", "id");
        return List.of(DatasetModel.CLIENTS.newRow(Long.toString(clientId))
                .set("tenant", tenant)
                .set("client_id", clientId)
                .set("client_key", key(tenant, clientId))
                .set("organization", text(client.get("organization")))
                .set("first_name", text(client.get("fname")))
                .set("last_name", text(client.get("lname")))
                .set("email", text(client.get("email")))
                .set("currency_code", text(client.get("currency_code")))
                .set("city", text(client.get("p_city")))
                .set("province", text(client.get("p_province")))
                .set("country", text(client.get("p_country")))
                .set("signup_date_utc", utcWallTime(client.get("signup_date")))
                .set("archived", MapperSupport.isArchived(client))
                .set("source_updated_utc", easternWallTime(client.get("updated")))
                .build());
    }

    @Override
    public List<Table> tables() {
        return List.of(DatasetModel.CLIENTS);
    }
}
