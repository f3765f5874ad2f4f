-- Inbox work claimed across instances (DESIGN §6), portable across H2 2.x and PostgreSQL 15+.
-- One row per record (tenant, type, id) the webhook worker has claimed or failed on; records with pending
-- inbox events and no row here are due as their quiet window allows (io.mlconnector.pipeline.InboxQueue).
-- A claim is a lease: claimed_by/claimed_until are stamped in a short transaction (SELECT … FOR UPDATE SKIP
-- LOCKED), the FreshBooks fetch runs outside any transaction, the claimer renews claimed_until while it
-- works, and a killed instance's claims are taken by any instance once claimed_until has passed.
-- claim_token rises with every claim, so a claimer that lost its claim cannot finish or fail the new one.
-- The row goes in the transaction that applies the record; after a failure it keeps the retry state, and
-- after pipeline.dead-letter-after failures dead_lettered_at is set: the record's events stay in the inbox
-- but it is no longer due until mlc replay clears it.
CREATE TABLE inbox_work (
    tenant_id        VARCHAR(64)  NOT NULL,
    object_type      VARCHAR(32)  NOT NULL,
    object_id        VARCHAR(64)  NOT NULL,
    attempts         INT          DEFAULT 0 NOT NULL,   -- failed fetches or applies since the last success
    not_before       TIMESTAMP WITH TIME ZONE,          -- not due before this (backoff after a failure)
    last_error       VARCHAR(1000),                     -- one line, never a token or a body
    dead_lettered_at TIMESTAMP WITH TIME ZONE,
    claimed_by       VARCHAR(200),                      -- cluster.instance-id of the claimer
    claimed_until    TIMESTAMP WITH TIME ZONE,
    claim_token      BIGINT       DEFAULT 0 NOT NULL,
    PRIMARY KEY (tenant_id, object_type, object_id)
);
CREATE INDEX inbox_work_dead ON inbox_work (dead_lettered_at);
