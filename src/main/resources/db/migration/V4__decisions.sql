-- Human decisions (approve a marginal canary, force an abort): who, when, why.
CREATE TABLE decision (
    analysis_id VARCHAR(36)   NOT NULL REFERENCES analysis (id),
    seq         INTEGER       NOT NULL,
    action      VARCHAR(20)   NOT NULL,
    actor       VARCHAR(200)  NOT NULL,
    reason      VARCHAR(2000) NOT NULL,
    decided_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (analysis_id, seq)
);
