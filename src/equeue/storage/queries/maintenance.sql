-- Maintenance duties. Each runs in a transaction that first takes an advisory lock
-- named after the duty and the schema (try_duty_lock), so one process at a time runs it.

-- name: try_duty_lock
-- The lock of duty $1 for this transaction, if no other holds it. A process that stops
-- between the statements of its round (frozen, cut off, starved) would keep the lock,
-- and the duty from every other process, for as long as its connection lives: so the
-- round's transaction is ended by the server after $2 idle in it (a duty's statements
-- follow one another at once; only a process that stopped leaves one idle).
SELECT pg_try_advisory_xact_lock(hashtext('equeue'), hashtext($1))
  FROM (SELECT set_config('idle_in_transaction_session_timeout', $2, true)) AS bounded;

-- name: rescue_expired_leases
-- Jobs whose lease ran out: the worker holding them is gone (or cut off). Driven by each
-- job's own lease expiry, never by the workers table. A job whose cancel was requested
-- ends cancelled. Otherwise the lost lease of a suspect (migration 0011) counts as an
-- attempt: with attempts left it becomes runnable at once, without it is dead-lettered.
-- Any other job gets its attempt back, as it may only have shared a worker with the job
-- that brought it down, and becomes a suspect: from now on it runs on a worker holding
-- no other suspect, where its own next lost lease is its own fault.
WITH expired AS (
    SELECT id FROM {schema}.jobs
     WHERE status = 'running' AND lease_expires_at < now()
     ORDER BY lease_expires_at
     LIMIT $1
     FOR UPDATE SKIP LOCKED
), rescued AS (
    UPDATE {schema}.jobs j
       SET status = CASE WHEN j.cancel_requested THEN 'cancelled'
                         WHEN j.suspect AND j.attempts >= j.max_attempts THEN 'failed'
                         ELSE 'retrying' END,
           finished_at = CASE WHEN j.cancel_requested
                                   OR (j.suspect AND j.attempts >= j.max_attempts)
                              THEN now() END,
           attempts = CASE WHEN j.suspect OR j.cancel_requested THEN j.attempts
                           ELSE greatest(j.attempts - 1, 0) END,
           suspect = true,
           run_at = now(),
           last_error = 'lease expired: worker ' || coalesce(j.worker_id, '?')
                        || ' stopped renewing it',
           lease_token = NULL, lease_expires_at = NULL,
           history = j.history || jsonb_build_array(jsonb_build_object(
               'number', j.attempts, 'worker', j.worker_id, 'started_at', j.started_at,
               'lease_token', j.lease_token,
               'finished_at', now(), 'outcome', 'lease_expired',
               'error', CASE WHEN j.suspect OR j.cancel_requested
                             THEN 'lease expired: the worker stopped renewing it'
                             ELSE 'lease expired: the worker stopped renewing it; not '
                                  || 'counted, as the job''s first lost lease' END))
      FROM expired
     WHERE j.id = expired.id AND j.status = 'running'
    RETURNING j.id, j.status, j.queue, j.task
), notified AS (
    SELECT pg_notify({channel}, 'q:' || queue)
      FROM (SELECT DISTINCT queue FROM rescued WHERE status = 'retrying') q
)
SELECT rescued.id, rescued.status, rescued.queue, rescued.task
  FROM rescued, (SELECT count(*) FROM notified) AS n;

-- name: promote_due_jobs
-- Scheduled and retrying jobs whose time has come become 'queued' (workers would claim
-- them anyway; this keeps the reported status honest and wakes idle workers).
WITH due AS (
    SELECT id FROM {schema}.jobs
     WHERE status IN ('scheduled', 'retrying') AND run_at <= now()
     ORDER BY run_at
     LIMIT $1
     FOR UPDATE SKIP LOCKED
), promoted AS (
    UPDATE {schema}.jobs j SET status = 'queued'
      FROM due WHERE j.id = due.id AND j.status IN ('scheduled', 'retrying')
    RETURNING j.queue
), notified AS (
    SELECT pg_notify({channel}, 'q:' || queue) FROM (SELECT DISTINCT queue FROM promoted) q
)
SELECT count(*) AS promoted FROM promoted, (SELECT count(*) FROM notified) AS n;

-- name: prune_finished_jobs
-- Delete up to $2 jobs finished more than $1 seconds ago (retention), oldest first;
-- returns how many. Maintenance repeats it until a batch comes back short.
WITH old AS (
    SELECT id FROM {schema}.jobs
     WHERE status IN ('succeeded', 'failed', 'cancelled')
       AND finished_at < now() - make_interval(secs => $1)
     ORDER BY finished_at
     LIMIT $2
     FOR UPDATE SKIP LOCKED
), deleted AS (
    DELETE FROM {schema}.jobs j USING old WHERE j.id = old.id
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;

-- name: prune_dead_workers
-- Forget workers not seen for $1 seconds (display only: rescue does not depend on it).
DELETE FROM {schema}.workers WHERE last_seen < now() - make_interval(secs => $1);

-- name: prune_dead_offers
-- Forget hand-off offers whose LISTEN backend is gone (enqueues pass them over already),
-- unless one still holds a job its worker may yet collect. Offers a hand-off is using are
-- skipped, and the held job is looked up afresh (handed_over), as that hand-off may have
-- committed after this statement's snapshot was taken.
DELETE FROM {schema}.idle_workers o
 WHERE o.worker_id IN (
        SELECT c.worker_id FROM {schema}.idle_workers c
         WHERE NOT EXISTS (SELECT 1 FROM pg_stat_get_activity(c.listener_pid))
           FOR UPDATE SKIP LOCKED)
   AND NOT EXISTS (SELECT 1 FROM {schema}.handed_over(o.handed_job, o.worker_id));

-- name: prune_stats_steps
-- Forget the per-step statistics older than $1 seconds (the charts show the last hour).
DELETE FROM {schema}.job_stats_steps WHERE at < now() - make_interval(secs => $1);

-- name: prune_sign_ins
-- Forget sign-in codes and the keys they gave a day after they expired: neither can be
-- used any more, and keeping them a day lets an operator see who signed in lately.
WITH codes AS (
    DELETE FROM {schema}.sign_in_codes WHERE expires_at < now() - interval '1 day'
)
DELETE FROM {schema}.api_keys WHERE expires_at < now() - interval '1 day';

-- name: prune_audit_log
-- Delete up to $2 audit records older than $1 seconds (the jobs' retention), oldest
-- first; returns how many.
WITH old AS (
    SELECT id FROM {schema}.audit_log
     WHERE at < now() - make_interval(secs => $1)
     ORDER BY at
     LIMIT $2
), deleted AS (
    DELETE FROM {schema}.audit_log a USING old WHERE a.id = old.id
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;

-- name: archive_finished_jobs
-- Move up to $3 jobs finished more than $1 seconds ago, oldest first, from jobs to
-- job_history (migration 0017), in one statement: the delete and the insert are counted by
-- the triggers of both tables, so the counts do not change. Jobs past their retention ($2
-- seconds) are not moved: prune_finished_jobs deletes them where they are. Returns how
-- many moved.
WITH picked AS (
    SELECT id FROM {schema}.jobs
     WHERE status IN ('succeeded', 'failed', 'cancelled')
       AND finished_at < now() - make_interval(secs => $1)
       AND finished_at >= now() - make_interval(secs => $2)
     ORDER BY finished_at
     LIMIT $3
     FOR UPDATE SKIP LOCKED
), moved AS (
    DELETE FROM {schema}.jobs j USING picked WHERE j.id = picked.id
    RETURNING j.*
), archived AS (
    INSERT INTO {schema}.job_history SELECT * FROM moved
    RETURNING 1
)
SELECT count(*) AS archived FROM archived;

-- name: add_history_partitions
-- The daily partitions of job_history from the first day still within retention ($1
-- seconds) to $2 days ahead; returns how many were made. Making one locks job_history
-- for a moment (once a day, as a new day comes within reach): it gives up after $3
-- rather than keep readers queued behind it, and the next round tries again.
SELECT {schema}.add_history_partitions(
           ((now() - make_interval(secs => $1)) AT TIME ZONE 'UTC')::date,
           (now() AT TIME ZONE 'UTC')::date + $2::integer) AS made
  FROM (SELECT set_config('lock_timeout', $3, true)) AS bounded;

-- name: drop_expired_history
-- Retention of job_history: drop every daily partition whose whole day is past retention
-- ($1 seconds); returns how many jobs went. Dropping waits for the readers of job_history
-- (it locks the table for a moment): it gives up after $2 rather than keep new readers
-- queued behind it, and the next round tries again.
SELECT {schema}.drop_expired_history(now() - make_interval(secs => $1)) AS dropped
  FROM (SELECT set_config('lock_timeout', $2, true)) AS bounded;

-- name: prune_history_default
-- Delete up to $2 jobs of job_history's default partition finished more than $1 seconds
-- ago (rows no daily partition took: see migration 0017); returns how many.
WITH old AS (
    SELECT id, finished_at FROM {schema}.job_history_default
     WHERE finished_at < now() - make_interval(secs => $1)
     LIMIT $2
), deleted AS (
    DELETE FROM {schema}.job_history h USING old
     WHERE h.id = old.id AND h.finished_at = old.finished_at
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
