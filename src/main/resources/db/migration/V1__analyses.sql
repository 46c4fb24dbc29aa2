-- Analyses and their measurements. Runs unchanged on the embedded H2 (PostgreSQL mode) and on PostgreSQL.
CREATE TABLE analysis (
    id                VARCHAR(36)  NOT NULL PRIMARY KEY,
    event_id          VARCHAR(200) NOT NULL,
    deployment_id     VARCHAR(200) NOT NULL,
    namespace         VARCHAR(63)  NOT NULL,
    service           VARCHAR(63)  NOT NULL,
    environment       VARCHAR(63),
    template          VARCHAR(100) NOT NULL,
    canary_digest     VARCHAR(80)  NOT NULL,
    stable_digest     VARCHAR(80)  NOT NULL,
    event_json        TEXT         NOT NULL,
    template_json     TEXT         NOT NULL,
    started_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    interval_ms       BIGINT       NOT NULL,
    measurement_count INTEGER      NOT NULL,
    phase             VARCHAR(20)  NOT NULL,
    verdict           VARCHAR(20),
    score             DOUBLE PRECISION,
    reason            VARCHAR(4000),
    verdict_json      TEXT,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at      TIMESTAMP WITH TIME ZONE,
    published_at      TIMESTAMP WITH TIME ZONE,
    CONSTRAINT analysis_event_id UNIQUE (event_id)
);
CREATE INDEX analysis_newest ON analysis (created_at, id);
CREATE INDEX analysis_service ON analysis (namespace, service, created_at);
CREATE INDEX analysis_phase ON analysis (phase);

CREATE TABLE measurement (
    analysis_id  VARCHAR(36) NOT NULL REFERENCES analysis (id),
    seq          INTEGER     NOT NULL,
    window_start TIMESTAMP WITH TIME ZONE NOT NULL,
    window_end   TIMESTAMP WITH TIME ZONE NOT NULL,
    taken_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    verdict      VARCHAR(20) NOT NULL,
    score        DOUBLE PRECISION,
    result_json  TEXT        NOT NULL,
    PRIMARY KEY (analysis_id, seq)
);
