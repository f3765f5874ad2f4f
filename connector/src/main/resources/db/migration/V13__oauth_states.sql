-- The OAuth state values handed out when a user starts connecting a business. In the store, not in memory,
-- because behind a load balancer FreshBooks' redirect may come back to another instance than the one that
-- sent the browser away. Only a SHA-256 hash is kept: a state read from the database connects nothing.
CREATE TABLE oauth_state (
    state_hash VARCHAR(64) NOT NULL PRIMARY KEY,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
