-- Statements of the dashboard's API: sign-in codes, dead-letter groups, jobs in bulk.

-- name: insert_sign_in_code
-- A one-time code (its SHA-256, $1) for a key with scopes $2, valid for $3 seconds.
INSERT INTO {schema}.sign_in_codes (code_hash, scopes, expires_at)
VALUES ($1, $2::text[], now() + make_interval(secs => $3))
RETURNING expires_at;

-- name: exchange_sign_in_code
-- Use the code $1 once: when it is unused and unexpired, mark it used and create key $2
-- (secret hash $3, named $4) with the code's scopes, expiring in $5 seconds. One
-- statement, so two requests racing with one code cannot both get a key; no row back
-- when the code is unknown, used or expired.
WITH code AS (
    UPDATE {schema}.sign_in_codes SET used_at = now(), key_id = $2
     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
    RETURNING scopes
)
INSERT INTO {schema}.api_keys (id, name, scopes, secret_hash, expires_at)
SELECT $2, $4, code.scopes, $3, now() + make_interval(secs => $5) FROM code
RETURNING id, name, scopes, created_at, revoked_at, expires_at;

-- name: dead_letter_groups
-- Failed jobs (of queue $1, or all) grouped by task and the first line of their last
-- error, largest groups first, at most $2 of them; total is the failed jobs of all
-- groups, listed or not. The sample is the group's newest job (ids are time-ordered).
-- The partial indexes on failed jobs (jobs_failed_or_cancelled, job_history_failed)
-- keep the scan to the dead letters, in both tables.
SELECT task,
       split_part(coalesce(last_error, ''), E'\n', 1) AS error,
       count(*) AS n,
       array_agg(DISTINCT queue ORDER BY queue) AS queues,
       min(finished_at) AS first_failed_at,
       max(finished_at) AS last_failed_at,
       max(id::text COLLATE "C")::uuid AS sample_job_id,
       sum(count(*)) OVER ()::bigint AS total
  FROM {schema}.any_jobs
 WHERE status = 'failed' AND ($1::text IS NULL OR queue = $1)
 GROUP BY 1, 2
 ORDER BY n DESC, task, error
 LIMIT $2;

-- name: bulk_retry_jobs
-- retry_job for each of the ids $1 (distinct): each is sent back when failed or
-- cancelled, archived ones moving back to jobs (see retry_job). One row per id: whether
-- it was, and the status it had (NULL: no such job).
WITH requeued AS (
    UPDATE {schema}.jobs
       SET status = 'queued', run_at = now(), finished_at = NULL, cancel_requested = false,
           attempts = 0
     WHERE id = ANY($1::uuid[]) AND status IN ('failed', 'cancelled')
    RETURNING id, queue
), back AS (
    DELETE FROM {schema}.job_history
     WHERE id = ANY($1::uuid[]) AND status IN ('failed', 'cancelled')
    RETURNING *
), restored AS (
    INSERT INTO {schema}.jobs
    SELECT r.* FROM back, {schema}.restored_job(to_jsonb(back)) AS r
    RETURNING id, queue, task
), uncounted AS (
    SELECT {schema}.not_enqueued(array_agg(queue), array_agg(task)) FROM restored
), notified AS (
    SELECT pg_notify({channel}, 'q:' || queue) FROM (SELECT DISTINCT queue FROM requeued) q
)
SELECT i.id, j.status AS was, r.id IS NOT NULL OR b.id IS NOT NULL AS done
  FROM unnest($1::uuid[]) AS i(id)
  LEFT JOIN {schema}.any_jobs j ON j.id = i.id
  LEFT JOIN requeued r ON r.id = i.id
  LEFT JOIN restored b ON b.id = i.id
 CROSS JOIN (SELECT count(*) FROM notified) AS n
 CROSS JOIN (SELECT count(*) FROM uncounted) AS u;

-- name: bulk_cancel_jobs
-- cancel_waiting_job and request_cancel_running_job for each of the ids $1 (distinct).
-- One row per id: whether it was cancelled (with its queue and task, to be counted) or
-- flagged for its worker to stop, and the status it had (NULL: no such job).
WITH cancelled AS (
    UPDATE {schema}.jobs
       SET status = 'cancelled', finished_at = now(), cancel_requested = true
     WHERE id = ANY($1::uuid[]) AND status IN ('scheduled', 'queued', 'retrying')
    RETURNING id, queue, task
), flagged AS (
    UPDATE {schema}.jobs SET cancel_requested = true
     WHERE id = ANY($1::uuid[]) AND status = 'running'
    RETURNING id
), notified AS (
    SELECT pg_notify({channel}, 'c:' || id::text) FROM flagged
)
SELECT i.id, j.status AS was, c.queue, c.task,
       c.id IS NOT NULL AS cancelled, f.id IS NOT NULL AS flagged
  FROM unnest($1::uuid[]) AS i(id)
  LEFT JOIN {schema}.any_jobs j ON j.id = i.id
  LEFT JOIN cancelled c ON c.id = i.id
  LEFT JOIN flagged f ON f.id = i.id
 CROSS JOIN (SELECT count(*) FROM notified) AS n;

-- name: bulk_delete_jobs
-- delete_job for each of the ids $1 (distinct): each is deleted unless it runs, wherever
-- it is. One row per id: whether it was, and the status it had (NULL: no such job).
WITH deleted AS (
    DELETE FROM {schema}.jobs WHERE id = ANY($1::uuid[]) AND status <> 'running'
    RETURNING id
), archived AS (
    DELETE FROM {schema}.job_history WHERE id = ANY($1::uuid[])
    RETURNING id
)
SELECT i.id, j.status AS was, d.id IS NOT NULL OR a.id IS NOT NULL AS done
  FROM unnest($1::uuid[]) AS i(id)
  LEFT JOIN {schema}.any_jobs j ON j.id = i.id
  LEFT JOIN deleted d ON d.id = i.id
  LEFT JOIN archived a ON a.id = i.id;
