-- History is queried by service without namespace too (GET /api/v1/analyses?service=...): newest first.
CREATE INDEX analysis_by_service ON analysis (service, created_at, id);
CREATE INDEX analysis_by_verdict ON analysis (verdict, created_at, id);
