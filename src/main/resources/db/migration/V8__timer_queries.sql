-- The queries the service runs on timers, whatever the size of the history: the engine's sweep (every 10 s) looks
-- for verdicts Kafka has not acknowledged (published_at IS NULL: only running and unacknowledged analyses, a few
-- thousand at most), the rollback recovery (every minute) for recent ABORTs. Without these indexes both read every
-- analysis ever stored (10^6 on PostgreSQL: a sequential scan of the table every 10 s).
CREATE INDEX analysis_unpublished ON analysis (published_at);
CREATE INDEX analysis_verdict_completed ON analysis (verdict, completed_at);
