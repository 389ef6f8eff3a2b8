-- What the dashboard needs: keys that expire, one-time sign-in codes, statistics per
-- time step, and each worker's lease (a worker silent for longer is stale).
-- {schema} is replaced by the quoted schema name.

-- Keys made by exchanging a sign-in code expire; keys made by hand do not (NULL).
ALTER TABLE {schema}.api_keys ADD COLUMN expires_at timestamptz;

-- A sign-in code is a link's one-time secret (256 random bits): only its SHA-256 is
-- stored. Exchanging it marks it used and creates a key in one statement, so a code
-- gives at most one key however many requests race for it.
CREATE TABLE {schema}.sign_in_codes (
    code_hash   bytea PRIMARY KEY,
    scopes      text[] NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    key_id      text,
    CONSTRAINT sign_in_codes_scopes_known
        CHECK (scopes <@ ARRAY['read', 'write', 'admin', 'work'] AND cardinality(scopes) > 0)
);

-- job_stats per 10-second step of the last hour: the same counts, added by the same
-- statement each worker flushes its statistics with (the step is the flush's), per queue
-- only (no task: the dashboard charts queues). Maintenance deletes steps older than an
-- hour, so the table holds at most 360 steps of the counters and buckets in use. Not
-- sharded like job_stats: a worker writes here once per flush (every 2 s), and the fewer
-- rows keep an hour's chart quick to read.
CREATE TABLE {schema}.job_stats_steps (
    at      timestamptz NOT NULL,
    queue   text NOT NULL,
    metric  text NOT NULL,
    le      double precision NOT NULL DEFAULT 'Infinity',
    n       bigint NOT NULL DEFAULT 0,
    total   double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (at, queue, metric, le)
);

-- The lease a worker takes its jobs under: a heartbeat older than it means the worker
-- has stopped beating (its jobs are rescued). NULL for rows written before this column.
ALTER TABLE {schema}.workers ADD COLUMN lease_seconds double precision;
