-- Control totals (DESIGN §1; io.mlconnector.pipeline.reconcile.ControlTotals): the latest check of each route,
-- per table and tenant, so every instance's status shows it. Each check replaces its route's rows.
-- Portable across H2 2.x and PostgreSQL 15+.
-- verdict: match | differs | catching_up | unavailable. differences_json: [{"measure","ledger","powerBi"}].
-- differing_checks: in how many checks in a row the table has differed (a table differing twice is rebuilt).
CREATE TABLE control_totals (
    route             VARCHAR(64)   NOT NULL,
    table_name        VARCHAR(100)  NOT NULL,
    tenant_id         VARCHAR(64)   NOT NULL,
    verdict           VARCHAR(16)   NOT NULL,
    ledger_count      BIGINT        NOT NULL,
    powerbi_count     BIGINT,
    differences_json  VARCHAR(4000) NOT NULL,
    detail            VARCHAR(2000),
    differing_checks  INT           NOT NULL,
    checked_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (route, table_name, tenant_id)
);
