-- Reads that do not grow with history: what operators poll (queue counts, the oldest
-- waiting job, filtered pages of jobs) is answered from counters and index ranges, never
-- by walking every job ever kept.
--
-- 1. Counts by queue, task and status, kept exact as jobs move.
--
-- Statement-level triggers on jobs append each statement's net change per (queue, task,
-- status) to job_count_changes: an INSERT into a table without indexes, never an UPDATE
-- of a shared row, so no writer ever waits on another for a counter (a sharded upsert
-- would make a worker's claim wait on an application's open transaction that enqueued
-- into the same queue on the same shard, and fail it under REPEATABLE READ). The
-- triggers see every writer: both enqueue paths, COPY, claims, outcomes, the API, the
-- maintenance duties and anyone's own SQL. Statuses that do not change (lease renewals)
-- net to nothing and write nothing.
--
-- Folding (the fold_job_counts statement, run by maintenance every second and by each
-- reader first) moves the changes into job_counts in one statement, so a reader always
-- sees the same total: job_counts plus the changes not yet folded, both read in one
-- snapshot, equal to a GROUP BY over jobs in that snapshot.
--
-- A job that leaves this table for another (a history table of finished jobs, later)
-- keeps being counted if the other table gets the same triggers: the delete here and
-- the insert there are two changes of the same statement's transaction.
CREATE TABLE {schema}.job_counts (
    queue  text NOT NULL,
    task   text NOT NULL,
    status text NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (queue, task, status)
) WITH (fillfactor = 50);  -- room for each fold's updates to stay on their page (HOT)

CREATE TABLE {schema}.job_count_changes (
    queue  text NOT NULL,
    task   text NOT NULL,
    status text NOT NULL,
    n      bigint NOT NULL
) WITH (
    -- Every row is deleted within about a second of its insert: vacuum it often.
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0
);

-- 2. Tags as rows, so that a page of jobs with one tag walks that tag's jobs newest
-- first (a GIN index on the array cannot give that order). Tags never change after the
-- enqueue; the triggers below add them with the job and remove them with it.
CREATE TABLE {schema}.job_tags (
    tag    text NOT NULL,
    job_id uuid NOT NULL,
    PRIMARY KEY (tag, job_id)
);

CREATE FUNCTION {schema}.jobs_inserted_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH tagged AS (
        INSERT INTO {schema}.job_tags (tag, job_id)
        SELECT DISTINCT t.tag, n.id FROM new_jobs n, unnest(n.tags) AS t(tag)
    )
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, count(*) FROM new_jobs GROUP BY queue, task, status;
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.jobs_updated_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- No join of the old and new images: what left a (queue, task, status) and what
    -- entered it, summed, is the net change, and that is all a count needs.
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, sum(n)
      FROM (SELECT queue, task, status, 1 AS n FROM new_jobs
            UNION ALL
            SELECT queue, task, status, -1 AS n FROM old_jobs) AS moved
     GROUP BY queue, task, status
    HAVING sum(n) <> 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.jobs_deleted_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH untagged AS (
        DELETE FROM {schema}.job_tags g
         USING (SELECT DISTINCT t.tag, o.id FROM old_jobs o, unnest(o.tags) AS t(tag)) AS d
         WHERE g.tag = d.tag AND g.job_id = d.id
    )
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, -count(*) FROM old_jobs GROUP BY queue, task, status;
    RETURN NULL;
END
$$;

-- TRUNCATE waits for every writer of jobs and locks them out, so nothing else is
-- counting meanwhile: everything derived from jobs is emptied with it.
CREATE FUNCTION {schema}.jobs_truncated_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {schema}.job_counts, {schema}.job_count_changes, {schema}.job_tags;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_counted_insert AFTER INSERT ON {schema}.jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_inserted_counted();
CREATE TRIGGER jobs_counted_update AFTER UPDATE ON {schema}.jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_updated_counted();
CREATE TRIGGER jobs_counted_delete AFTER DELETE ON {schema}.jobs
    REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_deleted_counted();
CREATE TRIGGER jobs_counted_truncate AFTER TRUNCATE ON {schema}.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_truncated_counted();

-- Existing jobs, counted and tagged. The triggers above exist already and hold a lock
-- that keeps writers out until this migration commits, so no change falls between.
INSERT INTO {schema}.job_counts (queue, task, status, n)
SELECT queue, task, status, count(*) FROM {schema}.jobs GROUP BY queue, task, status;
INSERT INTO {schema}.job_tags (tag, job_id)
SELECT DISTINCT t.tag, j.id FROM {schema}.jobs j, unnest(j.tags) AS t(tag);

-- 3. Indexes. Every index costs writes as jobs move (a status change is never a HOT
-- update), so each one is partial: rows enter it only at a transition into its
-- predicate, and running jobs (renewed by every heartbeat) enter none. Their predicates
-- are written with finished_at, which no statement of the engine's hot path tests: so a
-- claim, whose WHERE cannot imply them, can never pick one of them over jobs_claimable
-- (with stale statistics it would, and read and sort every waiting job for one batch).
-- On a large table each takes a while to build here, with writes waiting; it can be
-- built beforehand with CREATE INDEX CONCURRENTLY under the same name (docs/deploy.md).

-- The oldest job waiting in a queue: one probe per queue. (The claim index is in claim
-- order across all queues, which cannot answer it.) Waiting: neither finished nor running.
CREATE INDEX IF NOT EXISTS jobs_waiting_by_queue ON {schema}.jobs (queue, run_at)
    WHERE finished_at IS NULL AND status <> 'running';
-- Pages of jobs by status, queue and task: each (queue, task, status) the counters know
-- of is one range of one of these in id order, so a page of any combination of these
-- filters reads at most a page from each range, however long the history and however
-- large the backlog. (Running jobs, at most the fleet's slots, are read from their own
-- index, jobs_lease_expiry.)
CREATE INDEX IF NOT EXISTS jobs_finished_by_kind ON {schema}.jobs (queue, task, status, id)
    WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_waiting_by_kind ON {schema}.jobs (queue, task, status, id)
    WHERE finished_at IS NULL AND status <> 'running';
-- A dedupe key is indexed while its job is unfinished (jobs_dedupe_key, unique); this
-- finds the finished jobs that held it.
CREATE INDEX IF NOT EXISTS jobs_finished_dedupe_key ON {schema}.jobs (dedupe_key, id)
    WHERE dedupe_key IS NOT NULL AND finished_at IS NOT NULL;
