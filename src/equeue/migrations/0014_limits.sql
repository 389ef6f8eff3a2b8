-- Limits held in the database, for the whole fleet: per queue, at most max_running jobs
-- running at once, at most rate jobs started per second (a token bucket of burst
-- tokens), and at most group_concurrency running at once per value of a job's group key.
--
-- A queue with any limit is "limited": the ordinary claim statement and the enqueue's
-- hand-off leave its jobs alone (the same hashed filter as paused queues, so a fleet with
-- no limits pays nothing), and claim_limited_jobs takes them, after lock_queue_limits has
-- locked the queue's row: claims of a limited queue run one at a time, each reading what
-- the previous one committed.
ALTER TABLE {schema}.queues
    ADD COLUMN max_running       integer CHECK (max_running > 0),
    ADD COLUMN rate              double precision CHECK (rate > 0),
    ADD COLUMN burst             double precision CHECK (burst >= 1),
    ADD COLUMN group_concurrency integer CHECK (group_concurrency > 0),
    -- The token bucket: tokens left at refilled_at (refilled at rate since).
    ADD COLUMN tokens            double precision NOT NULL DEFAULT 0,
    ADD COLUMN refilled_at       timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN limited           boolean GENERATED ALWAYS AS (
        max_running IS NOT NULL OR rate IS NOT NULL OR group_concurrency IS NOT NULL) STORED;

-- The group a job belongs to for group_concurrency (a customer, a tenant...).
ALTER TABLE {schema}.jobs ADD COLUMN group_key text;

-- Running jobs by group, for the per-group count: only jobs that have a group.
CREATE INDEX jobs_running_groups ON {schema}.jobs (queue, group_key)
    WHERE status = 'running' AND group_key IS NOT NULL;
