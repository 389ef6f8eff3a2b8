-- Cheaper triggers, and job-change events only while someone watches them.
--
-- The insert trigger makes fewer passes over the new rows: one grouping gives both the
-- queues to wake and the enqueue counts, one aggregate gives every event entry, cut into
-- notifications of 340 entries (as bytes: cutting text is slower, as each cut counts
-- characters from the start). EXPLAIN ANALYZE of 50,000 inserted rows: 61 ms in the
-- trigger with 0002's version, 36 ms with this one.
--
-- The update trigger pairs each changed row's old and new image. After a few calls
-- PL/pgSQL keeps a generic plan, which takes each transition table for one row and so
-- joins them by nested loop: a batch of n rows costs n² comparisons (2,000 rows: 4
-- million, 440 ms of a 460 ms acknowledgement). Without nested loops the cached plan
-- hashes or merges, whatever the batch size.
--
-- Every event is a NOTIFY, and every transaction that notifies takes PostgreSQL's one
-- notification lock at commit, so events cost each enqueue, claim and acknowledgement
-- even when no events client is connected (the usual case). An API process with at least
-- one events client holds a short lease in event_watchers, renewed while its clients
-- stay; the triggers send events only while some lease is live. Waking workers ('q:' on
-- the jobs channel) and the enqueue counters do not depend on it.

CREATE TABLE {schema}.event_watchers (
    id          text PRIMARY KEY,  -- one API process
    expires_at  timestamptz NOT NULL
);

CREATE FUNCTION {schema}.events_wanted() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM {schema}.event_watchers WHERE expires_at > now())
$$;

CREATE OR REPLACE FUNCTION {schema}.notify_new_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    queues text[];
    tasks text[];
    counts bigint[];
    runnable boolean[];
    events bytea;
    piece constant integer := 340 * 23;
BEGIN
    SELECT array_agg(queue), array_agg(task), array_agg(n), array_agg(wake)
      INTO queues, tasks, counts, runnable
      FROM (SELECT queue, task, count(*) AS n, bool_or(status = 'queued') AS wake
              FROM new_jobs GROUP BY queue, task ORDER BY queue, task) AS g;
    PERFORM pg_notify(TG_ARGV[0], 'q:' || d.q)
       FROM (SELECT DISTINCT u.q FROM unnest(queues, runnable) AS u(q, w) WHERE u.w) AS d;
    IF {schema}.events_wanted() THEN
        SELECT convert_to(string_agg({schema}.event_entry(status, id), ''), 'UTF8')
          INTO events FROM new_jobs;
    END IF;
    IF events IS NOT NULL THEN  -- NULL too when the statement inserted nothing
        FOR i IN 0 .. (length(events) - 1) / piece LOOP
            PERFORM pg_notify('equeue_' || TG_TABLE_SCHEMA || '_ev',
                              convert_from(substr(events, i * piece + 1, piece), 'UTF8'));
        END LOOP;
    END IF;
    INSERT INTO {schema}.job_stats AS s (queue, task, metric, shard, n)
    SELECT u.q, u.t, 'enqueued', pg_backend_pid() % 16, u.c
      FROM unnest(queues, tasks, counts) AS u(q, t, c)
    ON CONFLICT (queue, task, metric, le, shard) DO UPDATE SET n = s.n + excluded.n;
    RETURN NULL;
END
$$;

-- The update trigger: enable_nestloop = off (see above), and called only while events are
-- watched; its body stays 0002's.
ALTER FUNCTION {schema}.jobs_updated() SET enable_nestloop = off;
DROP TRIGGER jobs_events_update ON {schema}.jobs;
CREATE TRIGGER jobs_events_update AFTER UPDATE ON {schema}.jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT WHEN ({schema}.events_wanted())
    EXECUTE FUNCTION {schema}.jobs_updated();
