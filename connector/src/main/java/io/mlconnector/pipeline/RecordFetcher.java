package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.AccessTokens;
import io.mlconnector.freshbooks.FreshBooksApiClient;
import io.mlconnector.freshbooks.ObjectType;

/** Fetches the whole current record after a webhook, with the tenant's token; one refresh on a 401. */
public final class RecordFetcher {
    private final FreshBooksApiClient api;
    private final AccessTokens tokens;
    private final FetchStamps stamps;

    public RecordFetcher(FreshBooksApiClient api, AccessTokens tokens, FetchStamps stamps) {
        this.api = api;
        this.tokens = tokens;
        this.stamps = stamps;
    }

    /**
     * The record (empty when FreshBooks no longer has it: treated as deleted), with the fetch stamp taken
     * just before the GET that answered.
     */
    public FetchedRecord fetch(RecordKey key, String businessUuid) {
        ObjectType type = ObjectType.forEvent(key.objectType()).orElseThrow(
                () -> new IllegalArgumentException("not a record type the connector reads: " + key.objectType()));
        String token = tokens.accessToken(key.tenantId());
        try {
            long stamp = stamps.next();
            return new FetchedRecord(api.getRecord(token, type, key.tenantId(), businessUuid, key.objectId()), stamp);
        } catch (FreshBooksApiClient.UnauthorizedException e) {
            String fresh = tokens.refreshAfterRejection(key.tenantId(), token);
            long stamp = stamps.next();
            return new FetchedRecord(api.getRecord(fresh, type, key.tenantId(), businessUuid, key.objectId()), stamp);
        }
    }
}
