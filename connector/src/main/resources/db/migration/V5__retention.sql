-- What the retention task (io.mlconnector.pipeline.RetentionTask) deleted, added up, so the counts that
-- outlive the rows still add up: the rows each Power BI table holds (the pusher's 250,000-row quota
-- rule) and the status page's events received and rows pushed. Portable across H2 2.x and PostgreSQL 15+.
-- kind 'outbox': rows of sent batches, per route and table; kind 'inbox': processed events (route and
-- table_name are '').
CREATE TABLE retention_total (
    kind        VARCHAR(16)  NOT NULL,
    route       VARCHAR(64)  NOT NULL,
    table_name  VARCHAR(100) NOT NULL,
    deleted     BIGINT       NOT NULL,
    PRIMARY KEY (kind, route, table_name)
);
