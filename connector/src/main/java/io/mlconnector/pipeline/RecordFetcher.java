package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.AccessTokens;
import io.mlconnector.freshbooks.FreshBooksApiClient;
import io.mlconnector.freshbooks.ObjectType;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** Fetches the whole current record after a webhook, with the tenant's token; one refresh on a 401. */
public final class RecordFetcher {
    private final FreshBooksApiClient api;
    private final AccessTokens tokens;

    public RecordFetcher(FreshBooksApiClient api, AccessTokens tokens) {
        this.api = api;
        this.tokens = tokens;
    }

    /** The record, or empty when FreshBooks no longer has it (treated as deleted). */
    public Optional<JsonNode> fetch(RecordKey key, String businessUuid) {
        ObjectType type = ObjectType.forEvent(key.objectType()).orElseThrow(
                () -> new IllegalArgumentException("not a record type the connector reads: " + key.objectType()));
        String token = tokens.accessToken(key.tenantId());
        try {
            return api.getRecord(token, type, key.tenantId(), businessUuid, key.objectId());
        } catch (FreshBooksApiClient.UnauthorizedException e) {
            String fresh = tokens.refreshAfterRejection(key.tenantId(), token);
            return api.getRecord(fresh, type, key.tenantId(), businessUuid, key.objectId());
        }
    }
}
