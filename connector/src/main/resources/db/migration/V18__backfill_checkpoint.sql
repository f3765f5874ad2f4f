-- Where a backfill (mlc backfill) got to in each listing, so one restarted after a crash or a stop continues
-- from the next page instead of page 1 (io.mlconnector.pipeline.Backfills). One row per tenant, record type,
-- listing (active or deleted records) and updated-since date ('' for all records); deleted when the listing
-- completes. Portable across H2 2.x and PostgreSQL 15+.
CREATE TABLE backfill_checkpoint (
    tenant_id     VARCHAR(64) NOT NULL,
    object_type   VARCHAR(32) NOT NULL,
    listing       VARCHAR(16) NOT NULL,  -- active | deleted
    since_date    VARCHAR(10) NOT NULL,  -- YYYY-MM-DD (US Eastern, as FreshBooks filters), '' for all records
    next_page     INT         NOT NULL,  -- the first page not yet applied completely
    backfill_id   VARCHAR(64) NOT NULL,  -- the backfill that got this far
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, object_type, listing, since_date)
);
