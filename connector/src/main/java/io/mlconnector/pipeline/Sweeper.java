package io.mlconnector.pipeline;

import io.mlconnector.freshbooks.AccessTokens;
import io.mlconnector.freshbooks.FreshBooksApiClient;
import io.mlconnector.freshbooks.FreshBooksApiClient.Page;
import io.mlconnector.freshbooks.ObjectType;
import java.time.LocalDate;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * Lists a tenant's records of one type and applies each through the same ledger path as webhooks: the
 * backfill (everything), the incremental sweep that catches missed webhooks ({@code updatedMin}), and
 * delete capture (the deleted listing, {@code vis_state} 1). Records already pushed at the same version
 * change nothing, so a sweep can run any time.
 */
public final class Sweeper {
    private static final int PER_PAGE = FreshBooksApiClient.MAX_PER_PAGE;

    private final FreshBooksApiClient api;
    private final AccessTokens tokens;
    private final FetchStamps stamps;
    private final RecordApplier applier;
    private final String route;

    public Sweeper(FreshBooksApiClient api, AccessTokens tokens, FetchStamps stamps, RecordApplier applier, String route) {
        this.api = api;
        this.tokens = tokens;
        this.stamps = stamps;
        this.applier = applier;
        this.route = route;
    }

    /** How far a sweep of one type got. */
    public record Progress(String tenantId, ObjectType type, boolean deletedListing, int page, int pages,
                           long records, long outboxRows) {}

    /** Sweeps one type for one tenant; returns the number of records read. */
    public long sweep(String tenantId, String businessUuid, ObjectType type, LocalDate updatedMin,
                      Consumer<Progress> progress) {
        long records = sweepListing(tenantId, businessUuid, type, updatedMin, null, progress);
        if (!type.businessScoped()) {
            records += sweepListing(tenantId, businessUuid, type, updatedMin, 1, progress);
        }
        return records;
    }

    private long sweepListing(String tenantId, String businessUuid, ObjectType type, LocalDate updatedMin,
                              Integer visState, Consumer<Progress> progress) {
        return sweepListing(tenantId, businessUuid, type, updatedMin, visState != null, 1, "sweep", progress);
    }

    /**
     * One listing (active records, or deleted ones when {@code deletedListing}) from {@code firstPage} on, for a
     * backfill that continues where an interrupted one stopped. {@code progress} hears after each page is applied.
     * The rows' cause is {@code causePrefix:type:all|since D[:deleted]}, so a backfill can count its own rows.
     */
    public long sweepListing(String tenantId, String businessUuid, ObjectType type, LocalDate updatedMin,
                             boolean deletedListing, int firstPage, String causePrefix, Consumer<Progress> progress) {
        Integer visState = deletedListing ? 1 : null;
        long records = 0;
        long outboxRows = 0;
        int page = Math.max(1, firstPage);
        String cause = causePrefix + ":" + type.eventPrefix() + (updatedMin == null ? ":all" : ":since " + updatedMin)
                + (visState == null ? "" : ":deleted");
        while (true) {
            Listing listing = listPage(tenantId, businessUuid, type, page, updatedMin, visState);
            for (JsonNode record : listing.page().records()) {
                RecordKey key = new RecordKey(tenantId, type.eventPrefix(), idOf(record));
                outboxRows += applier.apply(key, route, FetchedRecord.found(record, listing.fetchStamp()), cause,
                        RecordApplier.InTransaction.NOTHING).outboxRows();
                records++;
            }
            progress.accept(new Progress(tenantId, type, visState != null, page, listing.page().pages(), records,
                    outboxRows));
            if (listing.page().records().isEmpty() || listing.page().isLast()) {
                return records;
            }
            page++;
        }
    }

    /** One page of a listing and the fetch stamp taken just before its GET, shared by its records. */
    private record Listing(Page page, long fetchStamp) {}

    private Listing listPage(String tenantId, String businessUuid, ObjectType type, int page, LocalDate updatedMin,
                             Integer visState) {
        String token = tokens.accessToken(tenantId);
        try {
            long stamp = stamps.next();
            return new Listing(api.list(token, type, tenantId, businessUuid, page, PER_PAGE, updatedMin, visState), stamp);
        } catch (FreshBooksApiClient.UnauthorizedException e) {
            String fresh = tokens.refreshAfterRejection(tenantId, token);
            long stamp = stamps.next();
            return new Listing(api.list(fresh, type, tenantId, businessUuid, page, PER_PAGE, updatedMin, visState), stamp);
        }
    }

    /** The id webhooks name the record by (reference §4: most records repeat it as {@code id}). */
    static String idOf(JsonNode record) {
        for (String field : new String[] {"id", "vendorid", "uuid"}) {
            JsonNode value = record.path(field);
            if (!value.isMissingNode() && !value.isNull()) {
                return value.asString();
            }
        }
        throw new IllegalArgumentException("FreshBooks record without an id");
    }
}
