-- Alerts in progress (issue 12): one row per condition seen and not yet cleared, so that an alert fires once per
-- episode and its "resolved" is sent even when another instance of a cluster takes over the evaluation.
CREATE TABLE alert_episode (
    alert_key   VARCHAR(400)  NOT NULL PRIMARY KEY,   -- kind:subject
    kind        VARCHAR(32)   NOT NULL,
    subject     VARCHAR(300)  NOT NULL,
    message     VARCHAR(2000) NOT NULL,
    fix         VARCHAR(2000),
    first_seen  TIMESTAMP WITH TIME ZONE NOT NULL,
    fired_at    TIMESTAMP WITH TIME ZONE              -- null while the condition has not lasted its grace yet
);
