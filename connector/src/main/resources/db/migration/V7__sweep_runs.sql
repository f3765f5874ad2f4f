-- The last completed sweep of each tenant (io.mlconnector.pipeline.SweepRuns), for the status page and for
-- proving that a sweep claimed by a dead instance was taken over. Portable across H2 2.x and PostgreSQL 15+.
-- failed_types: the object types whose listing failed, comma separated ('' when none).
CREATE TABLE sweep_run (
    tenant_id     VARCHAR(64)   PRIMARY KEY,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    records_read  BIGINT        NOT NULL,
    failed_types  VARCHAR(1000) NOT NULL
);
