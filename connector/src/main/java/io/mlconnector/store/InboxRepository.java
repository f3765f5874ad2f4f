package io.mlconnector.store;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Writes webhook deliveries to {@code inbox}; the pipeline claims them (its queries live with it). */
public final class InboxRepository {

    /** Inserts the events in the caller's transaction (the group commit's), as one JDBC batch. */
    public void insertBatch(Handle handle, List<InboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch("INSERT INTO inbox (received_at, tenant_id, uri_token, event_name,"
                + " object_type, object_id, fields_json) VALUES (:receivedAt, :tenantId, :uriToken, :eventName,"
                + " :objectType, :objectId, :fieldsJson)");
        for (InboxEvent event : events) {
            batch.bind("receivedAt", StoreTime.utc(event.receivedAt()))
                    .bind("tenantId", event.tenantId())
                    .bind("uriToken", event.uriToken())
                    .bind("eventName", event.eventName())
                    .bind("objectType", event.objectType())
                    .bind("objectId", event.objectId())
                    .bind("fieldsJson", event.fieldsJson())
                    .add();
        }
        batch.execute();
    }

    /** All stored events of a tenant in arrival order (for tests and the status page). */
    public List<InboxEvent> listByTenant(Handle handle, String tenantId) {
        return handle.createQuery("SELECT received_at, tenant_id, uri_token, event_name, object_type, object_id, fields_json"
                        + " FROM inbox WHERE tenant_id = :tenant ORDER BY id")
                .bind("tenant", tenantId)
                .map((rs, ctx) -> new InboxEvent(StoreTime.instant(rs, "received_at"), rs.getString("tenant_id"),
                        rs.getString("uri_token"), rs.getString("event_name"), rs.getString("object_type"),
                        rs.getString("object_id"), rs.getString("fields_json")))
                .list();
    }

    public long count(Handle handle) {
        return handle.createQuery("SELECT COUNT(*) FROM inbox").mapTo(Long.class).one();
    }
}
