-- DORA reads judged analyses by start time and needs only a few columns of each: the commit time moves out of the
-- frozen event document into its own column (filled from the event on insert; V7 back-fills older rows), so the
-- figures no longer read and parse every event of the window.
ALTER TABLE analysis ADD COLUMN commit_time TIMESTAMP WITH TIME ZONE;
CREATE INDEX analysis_started ON analysis (started_at);
