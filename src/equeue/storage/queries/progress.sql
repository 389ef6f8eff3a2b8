-- Progress reports and what waits on jobs (equeue/progress.py, equeue/waiting.py).

-- name: write_progress
-- A running task's progress, fenced by the lease token: a worker that lost the job
-- writes nothing. While events are watched (migration 0003) the write is an event too:
-- 'p' and the job id, in the entry format of event_entry, on the events channel; the
-- event hub reads the value from the row. $5 is the events channel.
WITH written AS (
    UPDATE {schema}.jobs
       SET progress = jsonb_build_object('fraction', $3::float8, 'message', $4::text,
                                         'at', now(), 'attempt', attempts)
     WHERE id = $1 AND status = 'running' AND lease_token = $2
    RETURNING id
), notified AS (
    SELECT pg_notify($5, 'p' || rtrim(encode(uuid_send(id), 'base64'), '='))
      FROM written
     WHERE {schema}.events_wanted()
)
SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM notified) AS sent;

-- name: finished_jobs
-- Which of these jobs have finished (or are gone): what waiters check after a wake-up.
SELECT i.id, j.status
  FROM unnest($1::uuid[]) AS i(id)
  LEFT JOIN {schema}.jobs j ON j.id = i.id
 WHERE j.id IS NULL OR j.status IN ('succeeded', 'failed', 'cancelled');

-- name: job_progress
-- What the event hub adds to progress events: each job's latest progress.
SELECT id, progress FROM {schema}.jobs WHERE id = ANY($1::uuid[]) AND progress IS NOT NULL;
