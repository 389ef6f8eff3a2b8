-- What the REST API needs: API keys, job-change events, fleet-wide counters.
-- {schema} is replaced by the quoted schema name.

-- API keys are stored only as a SHA-256 hash of a high-entropy random secret; the id is
-- the public prefix of the key, shown in listings and used to find the row.
CREATE TABLE {schema}.api_keys (
    id           text PRIMARY KEY,
    name         text,
    scopes       text[] NOT NULL,
    secret_hash  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CONSTRAINT api_keys_scopes_known CHECK (scopes <@ ARRAY['read', 'write', 'admin'])
);

-- Fleet-wide counters and histograms, kept by the job triggers below so every process
-- (workers, API servers) contributes and any API process can report the totals. A row
-- is one counter cell; `shard` spreads concurrent writers over several rows so two
-- workers acknowledging at the same moment rarely wait on the same row lock.
-- Plain counters have le = 'Infinity'; histogram buckets are not cumulative here.
CREATE TABLE {schema}.job_stats (
    queue   text NOT NULL,
    task    text NOT NULL,
    metric  text NOT NULL,
    le      double precision NOT NULL DEFAULT 'Infinity',
    shard   smallint NOT NULL,
    n       bigint NOT NULL DEFAULT 0,
    total   double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, task, metric, le, shard)
);

-- The upper bound of the histogram bucket holding `seconds`.
CREATE FUNCTION {schema}.stats_bucket(seconds double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(min(b), 'Infinity')
      FROM unnest('{0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10,30,60,300,900,3600}'
                  ::double precision[]) AS b
     WHERE b >= seconds
$$;

-- One event entry: a status letter and the job id in unpadded base64 (23 bytes), so a
-- notification of under 8,000 bytes carries 340 of them.
CREATE FUNCTION {schema}.event_entry(status text, id uuid) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE status WHEN 'scheduled' THEN 's' WHEN 'queued' THEN 'q'
                       WHEN 'running' THEN 'r' WHEN 'retrying' THEN 't'
                       WHEN 'succeeded' THEN 'd' WHEN 'failed' THEN 'f'
                       ELSE 'c' END
           || rtrim(encode(uuid_send(id), 'base64'), '=')
$$;

-- Job-change events go to the channel equeue_<schema>_ev (kept short: channel names
-- are cut at 63 bytes). They carry ids and statuses only, never payloads, and cost one
-- NOTIFY per statement (one per 340 changed rows for larger statements), never one per
-- row: the triggers run once per statement over its transition tables.
CREATE FUNCTION {schema}.jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('equeue_' || TG_TABLE_SCHEMA || '_ev', string_agg(entry, ''))
       FROM (SELECT (row_number() OVER () - 1) / 340 AS chunk,
                    {schema}.event_entry(status, id) AS entry
               FROM new_jobs) AS e
      GROUP BY chunk;
    INSERT INTO {schema}.job_stats AS s (queue, task, metric, shard, n)
    SELECT queue, task, 'enqueued', pg_backend_pid() % 16, count(*)
      FROM new_jobs GROUP BY queue, task ORDER BY queue, task
    ON CONFLICT (queue, task, metric, le, shard) DO UPDATE SET n = s.n + excluded.n;
    RETURN NULL;
END
$$;

-- Only status changes are events: lease renewals and cancel flags are not. One statement
-- with CTEs reads the transition tables once for both the events and the counters.
CREATE FUNCTION {schema}.jobs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    done record;
BEGIN
    WITH changed AS MATERIALIZED (
        SELECT n.id, n.queue, n.task, n.status, o.status AS old_status,
               n.started_at, n.finished_at, n.run_at
          FROM new_jobs n JOIN old_jobs o ON o.id = n.id
         WHERE n.status <> o.status
    ), notified AS (
        SELECT pg_notify('equeue_' || TG_TABLE_SCHEMA || '_ev', string_agg(entry, ''))
          FROM (SELECT (row_number() OVER () - 1) / 340 AS chunk,
                       {schema}.event_entry(status, id) AS entry
                  FROM changed) AS e
         GROUP BY chunk
    ), cells AS (
        -- Finished attempts and their outcome.
        SELECT queue, task,
               CASE status WHEN 'succeeded' THEN 'succeeded' WHEN 'failed' THEN 'failed'
                           WHEN 'retrying' THEN 'retried' ELSE 'cancelled' END AS metric,
               'Infinity'::double precision AS le, 0::double precision AS seconds
          FROM changed WHERE status IN ('succeeded', 'failed', 'retrying', 'cancelled')
        UNION ALL
        -- How long an attempt ran (a released job did not finish its attempt).
        SELECT queue, task, 'run_seconds', {schema}.stats_bucket(r.seconds), r.seconds
          FROM changed,
               LATERAL (SELECT greatest(0, extract(epoch FROM
                            coalesce(finished_at, now()) - started_at))::double precision
                       AS seconds) AS r
         WHERE old_status = 'running' AND status <> 'queued' AND started_at IS NOT NULL
        UNION ALL
        -- How long a job waited, runnable, before a worker took it.
        SELECT queue, task, 'wait_seconds', {schema}.stats_bucket(w.seconds), w.seconds
          FROM changed,
               LATERAL (SELECT greatest(0, extract(epoch FROM started_at - run_at))
                               ::double precision AS seconds) AS w
         WHERE status = 'running'
    ), counted AS (
        INSERT INTO {schema}.job_stats AS s (queue, task, metric, le, shard, n, total)
        SELECT queue, task, metric, le, pg_backend_pid() % 16, count(*), sum(seconds)
          FROM cells
         GROUP BY queue, task, metric, le
         -- One order for every writer, so two statements never wait on each other in turn.
         ORDER BY queue, task, metric, le
        ON CONFLICT (queue, task, metric, le, shard)
           DO UPDATE SET n = s.n + excluded.n, total = s.total + excluded.total
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM notified), (SELECT count(*) FROM counted) INTO done;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_events_insert AFTER INSERT ON {schema}.jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_inserted();

CREATE TRIGGER jobs_events_update AFTER UPDATE ON {schema}.jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_updated();
