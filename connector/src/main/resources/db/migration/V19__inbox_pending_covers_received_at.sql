-- The pending-event index also carries received_at, so the queries that group pending events per record or tenant
-- (InboxQueue.due, WaitingChanges) read the index alone: on H2 with 20,000 events waiting, the dispatcher's due()
-- took 132 ms a call reading each row for its received_at, and runs several times a second under load.
DROP INDEX inbox_pending;
CREATE INDEX inbox_pending ON inbox (processed_at, tenant_id, object_type, object_id, received_at);
