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

-- Fleet-wide counters and histograms: enqueues are counted by the insert trigger below,
-- outcomes and run/wait times by the worker processes (equeue/worker/stats.py), so any
-- API process can report the totals. A row
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
-- For inserts this replaces the wake-up trigger function of 0001, so one trigger pass
-- over the new rows wakes workers, sends the events and counts the enqueues.
CREATE OR REPLACE FUNCTION {schema}.notify_new_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], 'q:' || q.queue)
       FROM (SELECT DISTINCT queue FROM new_jobs WHERE status = 'queued') AS q;
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

-- Only status changes are events: lease renewals and cancel flags are not. The outcome
-- counters and run/wait histograms are not kept here: a trigger doing that work per row
-- cost as much as the claim itself, so each worker process counts what it does in memory
-- and adds its totals to job_stats every few seconds (equeue/worker/stats.py).
CREATE FUNCTION {schema}.jobs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('equeue_' || TG_TABLE_SCHEMA || '_ev', string_agg(entry, ''))
       FROM (SELECT (row_number() OVER () - 1) / 340 AS chunk,
                    {schema}.event_entry(n.status, n.id) AS entry
               FROM new_jobs n JOIN old_jobs o ON o.id = n.id
              WHERE n.status <> o.status) AS e
      GROUP BY chunk;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_events_update AFTER UPDATE ON {schema}.jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_updated();
