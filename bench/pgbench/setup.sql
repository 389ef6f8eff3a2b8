-- The smallest job table that still behaves like a queue: a status, a claim index, and
-- a worker column to acknowledge by. pgbench runs the scripts beside this file on it.
DROP TABLE IF EXISTS ceiling_jobs;
CREATE TABLE ceiling_jobs (
    id      bigserial PRIMARY KEY,
    status  text NOT NULL DEFAULT 'queued',
    worker  integer,
    payload jsonb NOT NULL DEFAULT '{}',
    run_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ceiling_claimable ON ceiling_jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX ceiling_running ON ceiling_jobs (worker) WHERE status = 'running';
