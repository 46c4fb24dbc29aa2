-- One row per analysis whose ABORT is rolled back: the primary key makes the claim (a conditional insert)
-- exclusive across restarts and replicas; state moves CLAIMED -> APPLIED | REFUSED | FAILED | DRY_RUN once.
-- A CLAIMED row whose lease (claimed_at) expired is taken over by the recovery scan (attempts + 1).
-- Runs unchanged on the embedded H2 (PostgreSQL mode) and on PostgreSQL.
CREATE TABLE rollback (
    analysis_id     VARCHAR(36)  NOT NULL PRIMARY KEY REFERENCES analysis (id),
    state           VARCHAR(20)  NOT NULL,
    strategy        VARCHAR(20)  NOT NULL,
    dry_run         BOOLEAN      NOT NULL,
    claimed_by      VARCHAR(200) NOT NULL,
    claimed_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    attempts        INTEGER      NOT NULL,
    verdict_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    reason          VARCHAR(4000),
    detail          VARCHAR(4000),
    artifact        VARCHAR(400),
    published_at    TIMESTAMP WITH TIME ZONE
);
CREATE INDEX rollback_state ON rollback (state, claimed_at);
