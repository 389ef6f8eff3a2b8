-- The jobs table and what the workers need around it.
-- {schema} is replaced by the quoted schema name, {channel} by the quoted NOTIFY channel.

CREATE TABLE {schema}.jobs (
    id               uuid PRIMARY KEY,
    task             text NOT NULL,
    queue            text NOT NULL,
    payload          jsonb NOT NULL DEFAULT '{}',
    priority         smallint NOT NULL DEFAULT 0,
    status           text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL,
    timeout          double precision,
    run_at           timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    lease_token      uuid,
    lease_expires_at timestamptz,
    worker_id        text,
    cancel_requested boolean NOT NULL DEFAULT false,
    last_error       text,
    result           jsonb,
    dedupe_key       text,
    tags             text[] NOT NULL DEFAULT '{}',
    -- One object per finished attempt: number, worker, started_at, finished_at, outcome, error.
    history          jsonb NOT NULL DEFAULT '[]',
    CONSTRAINT jobs_status_known CHECK (status IN
        ('scheduled', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT jobs_priority_range CHECK (priority BETWEEN -100 AND 100),
    CONSTRAINT jobs_max_attempts_positive CHECK (max_attempts > 0),
    CONSTRAINT jobs_attempts_not_negative CHECK (attempts >= 0),
    -- Invariants of the state machine, kept by the database whatever the code does.
    CONSTRAINT jobs_running_holds_lease CHECK
        ((status = 'running') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT jobs_finished_has_time CHECK
        ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
) WITH (
    -- A queue table churns: every job is inserted, updated a few times and deleted.
    -- Vacuum it early and often so dead tuples never pile up in front of the claim scan.
    fillfactor = 85,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 1,
    autovacuum_vacuum_insert_scale_factor = 0.05
);

-- The claim query walks only waiting jobs, in claim order.
CREATE INDEX jobs_claimable ON {schema}.jobs (priority DESC, run_at, id)
    WHERE status IN ('scheduled', 'queued', 'retrying');
-- The rescuer looks only at running jobs, by lease expiry.
CREATE INDEX jobs_lease_expiry ON {schema}.jobs (lease_expires_at) WHERE status = 'running';
-- A dedupe key is held while its job is unfinished: a unique index, not a check-then-insert.
CREATE UNIQUE INDEX jobs_dedupe_key ON {schema}.jobs (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('scheduled', 'queued', 'running', 'retrying');
-- Retention pruning walks finished jobs by age.
CREATE INDEX jobs_finished_at ON {schema}.jobs (finished_at)
    WHERE status IN ('succeeded', 'failed', 'cancelled');
-- Listing goes newest first along the primary key (ids are time-ordered). Every index
-- on status costs a write at every transition of every job, so only the rare statuses an
-- operator looks for among millions of succeeded jobs get one: the dead letters.
CREATE INDEX jobs_failed_or_cancelled ON {schema}.jobs (status, id)
    WHERE status IN ('failed', 'cancelled');

CREATE TABLE {schema}.queues (
    name       text PRIMARY KEY,
    paused     boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Live worker processes. Rescue never reads this table: it is for display only.
CREATE TABLE {schema}.workers (
    id          text PRIMARY KEY,
    host        text NOT NULL,
    pid         integer NOT NULL,
    queues      text[],
    concurrency integer NOT NULL,
    running     integer NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);

-- Task names that workers have registered, with their defaults.
CREATE TABLE {schema}.tasks (
    name         text PRIMARY KEY,
    queue        text NOT NULL,
    priority     smallint NOT NULL,
    max_attempts integer NOT NULL,
    timeout      double precision,
    last_seen    timestamptz NOT NULL DEFAULT now()
);

-- Wake idle workers: one NOTIFY per enqueue statement and queue, never one per row,
-- and carrying the queue name only (a NOTIFY payload is limited to 8,000 bytes).
CREATE FUNCTION {schema}.notify_new_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], 'q:' || q.queue)
       FROM (SELECT DISTINCT queue FROM new_jobs WHERE status = 'queued') AS q;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_notify_new AFTER INSERT ON {schema}.jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_new_jobs({channel});
