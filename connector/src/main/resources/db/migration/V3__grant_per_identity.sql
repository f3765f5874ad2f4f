-- A FreshBooks grant belongs to the user who authorized, not to one business: one login may administer a
-- dozen businesses, and its single-use refresh token rotates on every refresh (reference §2.5), so the
-- tenants of one login must share one stored token pair instead of holding copies that die one by one.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL 15+.
--
-- Existing rows become one grant each with grant_id = their old tenant_id, so their ciphertexts (bound to
-- "oauth_grant/…/<id>") still decrypt; new connects use "identity-<identity id>", and reconnecting such
-- a tenant moves it onto its identity's grant.
CREATE TABLE oauth_grant_by_id (
    grant_id          VARCHAR(64) PRIMARY KEY,
    identity_id       BIGINT,                  -- the FreshBooks identity that authorized (null for migrated rows)
    access_token_enc  VARCHAR     NOT NULL,
    refresh_token_enc VARCHAR     NOT NULL,
    access_expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    scope             VARCHAR(2000),
    version           BIGINT      NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

INSERT INTO oauth_grant_by_id (grant_id, identity_id, access_token_enc, refresh_token_enc, access_expires_at, scope,
                               version, updated_at)
SELECT g.tenant_id, NULL, g.access_token_enc, g.refresh_token_enc, g.access_expires_at, g.scope, g.version, g.updated_at
FROM oauth_grant g;

ALTER TABLE tenant ADD COLUMN grant_id VARCHAR(64);
UPDATE tenant SET grant_id = tenant_id WHERE tenant_id IN (SELECT grant_id FROM oauth_grant_by_id);

DROP TABLE oauth_grant;
ALTER TABLE oauth_grant_by_id RENAME TO oauth_grant;

ALTER TABLE tenant ADD CONSTRAINT tenant_grant_fk FOREIGN KEY (grant_id) REFERENCES oauth_grant (grant_id);
CREATE INDEX tenant_by_grant ON tenant (grant_id);
