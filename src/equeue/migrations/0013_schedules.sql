-- Periodic jobs (docs/periodic.md): a schedule enqueues a job for its task at each tick
-- of its cron expression, read in its time zone.
--
-- next_run_at is the schedule's next tick. The maintenance leader enqueues the ticks that
-- are due by the database's clock and moves next_run_at past them with a compare-and-set
-- in the same transaction as the jobs; each tick it enqueues is also written to
-- schedule_ticks, whose primary key refuses a second enqueue of one tick whatever
-- happens to next_run_at (two leaders at once, an operator moving it back).
CREATE TABLE {schema}.schedules (
    name text PRIMARY KEY,
    task text NOT NULL,
    cron text NOT NULL,
    timezone text NOT NULL DEFAULT 'UTC',
    payload jsonb NOT NULL DEFAULT '{}',
    queue text,
    priority integer,
    -- 'skip': after missed ticks only the latest runs; 'catch_up': each, up to catch_up_limit.
    on_missed text NOT NULL DEFAULT 'skip' CHECK (on_missed IN ('skip', 'catch_up')),
    catch_up_limit integer NOT NULL DEFAULT 100 CHECK (catch_up_limit >= 1),
    paused boolean NOT NULL DEFAULT false,
    next_run_at timestamptz NOT NULL,
    last_run_at timestamptz,
    last_job_id uuid,
    -- 'code' for a schedule a worker upserts from @queue.periodic, 'api' for one made at
    -- run time: a worker's start rewrites the first kind's definition, never the second.
    source text NOT NULL DEFAULT 'api' CHECK (source IN ('code', 'api')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The maintenance round's scan: schedules due now.
CREATE INDEX schedules_due ON {schema}.schedules (next_run_at) WHERE NOT paused;

CREATE TABLE {schema}.schedule_ticks (
    schedule text NOT NULL REFERENCES {schema}.schedules (name) ON DELETE CASCADE,
    tick_at timestamptz NOT NULL,
    job_id uuid,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule, tick_at)
);

-- Retention pruning of old ticks.
CREATE INDEX schedule_ticks_enqueued ON {schema}.schedule_ticks (enqueued_at);
