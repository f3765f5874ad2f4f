package io.mlconnector.pipeline;

/** One FreshBooks record of one tenant: the unit of coalescing, fetching and ledger diffing. */
public record RecordKey(String tenantId, String objectType, String objectId) {
    @Override
    public String toString() {
        return tenantId + "/" + objectType + "/" + objectId;
    }
}
