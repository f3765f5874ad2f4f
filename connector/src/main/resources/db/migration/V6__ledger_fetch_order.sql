-- The ledger's staleness rule (io.mlconnector.pipeline.ReadStamp): a read replaces what was applied when
-- FreshBooks' version says it is newer, else when it was fetched later. Portable across H2 2.x and
-- PostgreSQL 15+.

-- source_version (V2) now holds the earliest instant the record's version may stand for; an Eastern wall
-- time in the DST fall-back hour stands for two instants, the later one goes here. Both keep microseconds
-- (an invoice's version has them).
ALTER TABLE ledger_entry ADD COLUMN source_version_latest TIMESTAMP WITH TIME ZONE;
-- The version's resolution in fractional digits (0: updated, 6: an invoice's version); versions of
-- different resolutions are not compared. NULL: no FreshBooks version (a 404, or a row from before V6,
-- whose source_version may be our own clock).
ALTER TABLE ledger_entry ADD COLUMN source_version_digits INT;
-- The fetch stamp of the read last applied (ledger_fetch_seq). Rows from before V6 get 0: every read
-- since was sent after them (reads in flight do not outlive the restart that migrates), so it wins ties.
ALTER TABLE ledger_entry ADD COLUMN fetch_seq BIGINT DEFAULT 0 NOT NULL;

-- Fetch stamps, taken just before each GET. No CACHE clause: PostgreSQL's cache is per session, which
-- would hand out values out of call order across connections and instances (H2's cache is database-wide).
CREATE SEQUENCE ledger_fetch_seq START WITH 1 INCREMENT BY 1;
