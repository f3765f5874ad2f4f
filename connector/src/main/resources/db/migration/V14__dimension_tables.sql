-- Dimension tables (clients, vendors, accounts, expense categories) hold one row per key in Power BI: a new key is
-- appended, a changed or deleted one marks its table dirty here, and the route's owner reloads the table from the
-- ledger (clear, then the current rows) at most once per pipeline.dimension-refresh-interval. changes counts the
-- marks, so that a reload and a concurrent mark always write the same row (one of the two transactions then fails
-- and is retried, and no change is lost between the reload's snapshot and the mark).
CREATE TABLE dimension_table (
    route            VARCHAR(64)  NOT NULL,
    table_name       VARCHAR(100) NOT NULL,
    dirty            BOOLEAN      NOT NULL,
    changes          BIGINT       NOT NULL,
    dirty_since      TIMESTAMP WITH TIME ZONE,
    last_reloaded_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (route, table_name)
);
-- Datasets filled before this change hold signed pairs on the one side: reload each dimension table once.
INSERT INTO dimension_table (route, table_name, dirty, changes, dirty_since, last_reloaded_at)
SELECT route, table_name, TRUE, 1, CURRENT_TIMESTAMP, NULL FROM push_table
WHERE table_name IN ('clients', 'vendors', 'accounts', 'expense_categories');
