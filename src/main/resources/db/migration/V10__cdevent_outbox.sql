-- When Kafka acknowledged an analysis' CDEvent (testsuiterun.finished), if CDEvents are published: the sweep re-sends
-- the ones not acknowledged (a broker outage, a crash between the verdict and its CDEvent), like the verdicts.
ALTER TABLE analysis ADD COLUMN cdevent_published_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX analysis_cdevent_unpublished ON analysis (cdevent_published_at);
