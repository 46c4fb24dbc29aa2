-- Which replica runs an analysis, until when, and a fencing token. A replica claims a running analysis before its
-- measurement (the lease is free, its own, or expired) and renews its leases while it runs them; a claim by another
-- replica increments lease_epoch, and every measurement and verdict the engine stores names the epoch it holds — a
-- replica that paused longer than its lease ("zombie") finds its epoch outdated and writes nothing.
ALTER TABLE analysis ADD COLUMN lease_owner VARCHAR(200);
ALTER TABLE analysis ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE analysis ADD COLUMN lease_epoch BIGINT DEFAULT 0 NOT NULL;
