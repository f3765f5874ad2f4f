-- When the oldest webhook event behind a row arrived at the connector (null for rows of sweeps, backfills and
-- rebuilds): with the time Power BI accepted the row's batch, the freshness the metrics and alerts report (issue 12).
ALTER TABLE outbox_row ADD COLUMN event_received_at TIMESTAMP WITH TIME ZONE;
