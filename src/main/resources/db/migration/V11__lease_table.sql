-- The lease of V9 moves to a narrow table of its own. Renewing a replica's leases (every third of the lease duration)
-- and checking a lease on every measurement then touch rows of four small columns instead of the analysis rows with
-- their event, template and verdict documents: one statement updates all of a replica's leases. Every analysis
-- inserted from now on gets its row (free lease, epoch 0) in the same transaction; analyses not yet ended get theirs
-- here with the lease they held.
CREATE TABLE analysis_lease (
    analysis_id  VARCHAR(36)  NOT NULL PRIMARY KEY,
    lease_owner  VARCHAR(200),
    lease_until  TIMESTAMP WITH TIME ZONE,
    lease_epoch  BIGINT DEFAULT 0 NOT NULL
);
INSERT INTO analysis_lease (analysis_id, lease_owner, lease_until, lease_epoch)
    SELECT id, lease_owner, lease_until, lease_epoch FROM analysis WHERE phase IN ('PENDING', 'RUNNING');
ALTER TABLE analysis DROP COLUMN lease_owner;
ALTER TABLE analysis DROP COLUMN lease_until;
ALTER TABLE analysis DROP COLUMN lease_epoch;
