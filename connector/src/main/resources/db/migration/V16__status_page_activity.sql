-- The status page's freshness and activity (docs/status-page.md), from the store so every instance of a cluster
-- shows the same. Portable across H2 2.x and PostgreSQL 15+.

-- When the earliest webhook event behind an outbox row was received (inbox.received_at); NULL for rows of
-- backfills, sweeps, replays by listing and rebuilds, which no event caused. A sent row's freshness is its
-- batch's sent_at minus this.
ALTER TABLE outbox_row ADD COLUMN received_at TIMESTAMP WITH TIME ZONE;

-- Events received and batches accepted in the last hour, per minute.
CREATE INDEX inbox_by_received ON inbox (received_at);
CREATE INDEX outbox_batch_by_sent ON outbox_batch (state, sent_at);
