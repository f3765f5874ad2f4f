-- Two kinds of rows now (issue 10): 'link', a one-time link an admin minted to connect a business, and 'state',
-- the OAuth state issued when such a link is opened, bound to that browser by the SHA-256 hash of a cookie's
-- value. Rows from before this migration are states without a browser: no callback can use them.
ALTER TABLE oauth_state ADD COLUMN kind VARCHAR(8) DEFAULT 'state' NOT NULL;
ALTER TABLE oauth_state ADD COLUMN browser_hash VARCHAR(64);
