-- Exactly once at the Power BI end (docs/guarantees.md). Portable across H2 2.x and PostgreSQL 15+.

-- Every POST is recorded before it is sent: state 'posting' with its attempt id and start time. A batch
-- found 'posting' (after a kill, a timeout, an I/O error, a 5xx) has an unknown outcome and is resolved
-- (push sequence number, Execute Queries, or a rebuild of its table), never blindly posted again.
-- push_seq: the X-PowerBI-PushData-SequenceNumber the batch carries, taken at its first attempt from
-- push_table.last_seq, so a table's numbers grow in the order its batches go out.
-- first_row_id: the batch's lowest outbox_row id; a table's batches go out in this order, so a bisected
-- batch is searched depth first and a record's later rows never leave before its earlier ones.
-- States: pending | posting | sent | quarantined | split (replaced by its two halves) | superseded (its
-- table was rebuilt from the ledger before the batch was sent).
ALTER TABLE outbox_batch ADD COLUMN push_seq BIGINT;
ALTER TABLE outbox_batch ADD COLUMN first_row_id BIGINT;
ALTER TABLE outbox_batch ADD COLUMN attempt_id VARCHAR(64);
ALTER TABLE outbox_batch ADD COLUMN posting_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE outbox_batch ADD COLUMN byte_count BIGINT;
UPDATE outbox_batch SET first_row_id = (SELECT MIN(r.id) FROM outbox_row r WHERE r.batch_id = outbox_batch.batch_id);
UPDATE outbox_batch SET first_row_id = 0 WHERE first_row_id IS NULL;

-- Per route and table: the last push sequence number used and the rows Power BI holds since the table
-- was last cleared (the 250,000-row rule, the 5,000,000-row cap).
CREATE TABLE push_table (
    route          VARCHAR(64)  NOT NULL,
    table_name     VARCHAR(100) NOT NULL,
    last_seq       BIGINT       NOT NULL,
    rows_in_table  BIGINT       NOT NULL,
    PRIMARY KEY (route, table_name)
);
INSERT INTO push_table (route, table_name, last_seq, rows_in_table)
SELECT route, table_name, 0, SUM(n) FROM (
    SELECT route, table_name, row_count AS n FROM outbox_batch WHERE state = 'sent'
    UNION ALL
    SELECT route, table_name, deleted FROM retention_total WHERE kind = 'outbox'
) sent GROUP BY route, table_name;

-- A table being rebuilt from the ledger: its unsent rows were replaced by the ledger's current rows, and
-- nothing of it is posted until Power BI's copy is cleared (DELETE rows, then this row goes).
CREATE TABLE table_rebuild (
    route         VARCHAR(64)   NOT NULL,
    table_name    VARCHAR(100)  NOT NULL,
    reason        VARCHAR(2000) NOT NULL,
    requested_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (route, table_name)
);

-- The ledger is bound to one dataset (DESIGN §1): when the route's dataset id changes, every table is
-- rebuilt from the ledger. A paused route (401/403, Entra unreachable, dataset gone) says why and how to fix.
ALTER TABLE dataset_route ADD COLUMN epoch BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE dataset_route ADD COLUMN paused_reason VARCHAR(2000);
ALTER TABLE dataset_route ADD COLUMN paused_fix VARCHAR(2000);
ALTER TABLE dataset_route ADD COLUMN paused_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE dataset_route ADD COLUMN resolver VARCHAR(32);   -- sequence-numbers | execute-queries | rebuild

CREATE INDEX outbox_batch_by_table ON outbox_batch (route, table_name, state, first_row_id);
CREATE INDEX outbox_row_by_batch ON outbox_row (batch_id);
