-- Statements on jobs. Every transition is guarded by the status it starts from
-- (see equeue/job.py, TRANSITIONS), and every one after a claim by the lease token too.

-- name: insert_jobs
-- Enqueue a batch in one statement. A job whose dedupe key an unfinished job holds is
-- skipped (ON CONFLICT against the partial unique index) and is absent from RETURNING.
-- The batch holds each key at most once (Storage settles repeats) and is written in
-- key order: a statement waits only on keys above every key it holds, so concurrent
-- batches of the same keys cannot deadlock.
INSERT INTO {schema}.jobs
    (id, task, queue, payload, priority, status, max_attempts, timeout, run_at,
     dedupe_key, tags, group_key)
SELECT n.id, n.task, n.queue, n.payload::jsonb, n.priority,
       CASE WHEN n.run_at > now() THEN 'scheduled' ELSE 'queued' END,
       n.max_attempts, n.timeout, n.run_at, n.dedupe_key, n.tags, n.group_key
  FROM (
    SELECT u.id, u.task, u.queue, u.payload, u.priority, u.max_attempts, u.timeout,
           coalesce(u.run_at, now() + make_interval(secs => coalesce(u.delay, 0))) AS run_at,
           u.dedupe_key,
           CASE WHEN u.tags IS NULL THEN '{}'::text[]
                ELSE ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)) END AS tags,
           u.group_key
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::smallint[],
                  $6::integer[], $7::float8[], $8::timestamptz[], $9::float8[], $10::text[],
                  $11::text[], $12::text[])
           AS u(id, task, queue, payload, priority, max_attempts, timeout, run_at, delay,
                dedupe_key, tags, group_key)
  ) AS n
 ORDER BY n.dedupe_key
ON CONFLICT (dedupe_key)
   WHERE dedupe_key IS NOT NULL AND status IN ('scheduled', 'queued', 'running', 'retrying')
   DO NOTHING
RETURNING id, status, run_at, created_at;

-- name: insert_job_handoff
-- Enqueue one job that may run now ($1 id, $2 task, $3 queue, $4 payload, $5 priority,
-- $6 max_attempts, $7 timeout, $8 tags as a JSON array or NULL, $9 group key or NULL). When a worker has an
-- open offer for its queue (migration 0004), the job is written already claimed by that
-- worker, and a notification tells it so: 'h:<generation> <job id> <worker>'. Ids and
-- numbers only: anyone who can connect may listen, and may send one too, so the worker
-- reads the job from the table (read_handed_job). Otherwise it is queued like any other.
WITH offer AS (
    UPDATE {schema}.idle_workers o SET open = false, handed_job = $1
     WHERE o.worker_id = (
        SELECT c.worker_id FROM {schema}.idle_workers c
         WHERE c.open AND c.open_until > now() AND (c.queues IS NULL OR $3 = ANY(c.queues))
           -- A worker whose LISTEN connection is gone would never hear of the job.
           AND EXISTS (SELECT 1 FROM pg_stat_get_activity(c.listener_pid))
           -- A limited queue's jobs wait for claim_limited_jobs (migration 0014).
           AND NOT EXISTS (SELECT 1 FROM {schema}.queues q
                            WHERE q.name = $3 AND (q.paused OR q.limited))
         LIMIT 1
           FOR UPDATE SKIP LOCKED)
    RETURNING o.worker_id, o.generation, o.lease_seconds
), inserted AS (
    INSERT INTO {schema}.jobs AS j
           (id, task, queue, payload, priority, status, attempts, max_attempts, timeout,
            tags, worker_id, lease_token, lease_expires_at, started_at, group_key)
    SELECT $1, $2, $3, $4::jsonb, $5, coalesce(h.status, 'queued'), coalesce(h.attempts, 0),
           $6, $7, CASE WHEN $8::text IS NULL THEN '{}'::text[]
                        ELSE ARRAY(SELECT jsonb_array_elements_text($8::jsonb)) END,
           offer.worker_id, h.token, now() + make_interval(secs => offer.lease_seconds),
           h.started_at, $9::text
      FROM (VALUES (1)) AS one
      LEFT JOIN offer ON true
      LEFT JOIN LATERAL (SELECT 'running' AS status, 1 AS attempts, gen_random_uuid() AS token,
                                now() AS started_at
                          WHERE offer.worker_id IS NOT NULL) AS h ON true
    RETURNING j.id, j.status, j.run_at, j.created_at, j.worker_id, j.started_at
), told AS (
    SELECT pg_notify({channel}, 'h:' || offer.generation || ' ' || i.id || ' ' || offer.worker_id)
      FROM offer, inserted i
)
SELECT status, run_at, created_at, worker_id, started_at, (SELECT count(*) FROM told) AS told
  FROM inserted;

-- name: transaction_now
-- The current transaction's time: what now() and column defaults give its rows.
SELECT now();

-- name: unfinished_by_dedupe_keys
-- The unfinished jobs holding these dedupe keys.
SELECT * FROM {schema}.jobs
 WHERE dedupe_key = ANY($1::text[])
   AND status IN ('scheduled', 'queued', 'running', 'retrying');

-- name: get_job
-- In jobs or, once finished and archived, in job_history (migration 0017).
SELECT * FROM {schema}.any_jobs WHERE id = $1;

-- name: cancel_waiting_job
-- Cancel a job that has not started: at once.
UPDATE {schema}.jobs
   SET status = 'cancelled', finished_at = now(), cancel_requested = true
 WHERE id = $1 AND status IN ('scheduled', 'queued', 'retrying')
RETURNING *;

-- name: request_cancel_running_job
-- Ask the worker holding a running job to stop it; the worker marks it cancelled.
WITH flagged AS (
    UPDATE {schema}.jobs SET cancel_requested = true
     WHERE id = $1 AND status = 'running'
    RETURNING *
), notified AS (
    SELECT pg_notify({channel}, 'c:' || id::text) FROM flagged
)
SELECT flagged.* FROM flagged, (SELECT count(*) FROM notified) AS n;

-- name: retry_job
-- Send a failed or cancelled job back to the queue with a fresh set of attempts;
-- its history is kept. A job archived already (migration 0017) moves back to jobs in the
-- same statement, requeued as it goes (restored_jobs).
WITH requeued AS (
    UPDATE {schema}.jobs
       SET status = 'queued', run_at = now(), finished_at = NULL, cancel_requested = false,
           attempts = 0
     WHERE id = $1 AND status IN ('failed', 'cancelled')
    RETURNING *
), back AS (
    DELETE FROM {schema}.job_history WHERE id = $1 AND status IN ('failed', 'cancelled')
    RETURNING *
), restored AS (
    INSERT INTO {schema}.jobs
    SELECT r.* FROM back, {schema}.restored_job(to_jsonb(back)) AS r
    RETURNING *
), uncounted AS (
    SELECT {schema}.not_enqueued(array_agg(queue), array_agg(task)) FROM restored
), notified AS (
    SELECT pg_notify({channel}, 'q:' || queue) FROM (SELECT DISTINCT queue FROM requeued) q
)
SELECT requeued.* FROM requeued, (SELECT count(*) FROM notified) AS n
UNION ALL
SELECT restored.* FROM restored, (SELECT count(*) FROM uncounted) AS u;

-- name: delete_job
-- Delete a job that is not running, wherever it is. Returns the status it had.
WITH hot AS (
    DELETE FROM {schema}.jobs WHERE id = $1 AND status <> 'running' RETURNING status
), archived AS (
    DELETE FROM {schema}.job_history WHERE id = $1 RETURNING status
)
SELECT status FROM hot UNION ALL SELECT status FROM archived;

-- name: purge_jobs
-- Delete finished jobs by filter (never unfinished ones), in both tables.
WITH hot AS (
    DELETE FROM {schema}.jobs
     WHERE status = ANY($1::text[])
       AND status IN ('succeeded', 'failed', 'cancelled')
       AND ($2::text IS NULL OR queue = $2)
       AND ($3::text IS NULL OR task = $3)
    RETURNING 1
), archived AS (
    DELETE FROM {schema}.job_history
     WHERE status = ANY($1::text[])
       AND ($2::text IS NULL OR queue = $2)
       AND ($3::text IS NULL OR task = $3)
    RETURNING 1
)
SELECT (SELECT count(*) FROM hot) + (SELECT count(*) FROM archived) AS purged;

-- name: replay_failed
-- Send up to $3 dead-lettered jobs back to the queue, oldest failure first, each with a
-- fresh set of attempts and its history kept; $4, when given, picks those whose last
-- error's first line is this one (a dead-letter group). A cancel requested of an earlier
-- run is forgotten (retry_job does the same): it must not stop the new one. Archived
-- ones move back to jobs as they are requeued (as in retry_job).
WITH hot AS (
    SELECT id, finished_at, true AS hot FROM {schema}.jobs
     WHERE status = 'failed'
       AND ($1::text IS NULL OR queue = $1)
       AND ($2::text IS NULL OR task = $2)
       AND ($4::text IS NULL OR split_part(coalesce(last_error, ''), E'\n', 1) = $4)
     ORDER BY finished_at, id
     LIMIT $3
     FOR UPDATE SKIP LOCKED
), cold AS (
    SELECT id, finished_at, false AS hot FROM {schema}.job_history
     WHERE status = 'failed'
       AND ($1::text IS NULL OR queue = $1)
       AND ($2::text IS NULL OR task = $2)
       AND ($4::text IS NULL OR split_part(coalesce(last_error, ''), E'\n', 1) = $4)
     ORDER BY finished_at, id
     LIMIT $3
     FOR UPDATE SKIP LOCKED
), picked AS (
    SELECT id, finished_at, hot FROM (SELECT * FROM hot UNION ALL SELECT * FROM cold) AS p
     ORDER BY finished_at, id
     LIMIT $3
), requeued AS (
    UPDATE {schema}.jobs j
       SET status = 'queued', run_at = now(), finished_at = NULL, cancel_requested = false,
           attempts = 0
      FROM picked WHERE picked.hot AND j.id = picked.id AND j.status = 'failed'
    RETURNING j.id, j.queue
), back AS (
    DELETE FROM {schema}.job_history h USING picked
     WHERE NOT picked.hot AND h.id = picked.id AND h.finished_at = picked.finished_at
       AND h.status = 'failed'
    RETURNING h.*
), restored AS (
    INSERT INTO {schema}.jobs
    SELECT r.* FROM back, {schema}.restored_job(to_jsonb(back)) AS r
    RETURNING id, queue, task
), uncounted AS (
    SELECT {schema}.not_enqueued(array_agg(queue), array_agg(task)) FROM restored
), notified AS (
    SELECT pg_notify({channel}, 'q:' || queue) FROM (SELECT DISTINCT queue FROM requeued) q
)
SELECT (SELECT count(*) FROM requeued) + (SELECT count(*) FROM restored) AS replayed
  FROM (SELECT count(*) FROM notified) AS n, (SELECT count(*) FROM uncounted) AS u;

-- name: claim_jobs
-- Claim up to $2 runnable jobs of the queues $1 (all queues when NULL) for worker $3,
-- highest priority then oldest run-at first. Each claim starts a lease of $4 seconds
-- with a fresh token, and counts the attempt now, so a job that kills its worker every
-- time still runs out of attempts.
--
-- The same statement keeps the worker's hand-off offer (migration 0004):
-- $5 the pid of the worker's LISTEN backend, NULL when it must not offer;
-- $6 the offer may be open: its row is then locked first (a hand-off in flight is waited
--    for), and a job handed over through it that the worker has not started yet comes
--    back with the claimed jobs, taking one of the $2 slots;
-- $7 the job the offer's notification brought (started already);
-- $8, $9 slots left over open the offer again as generation $8, good for $9 seconds;
--    otherwise it is closed;
-- $10 tasks not to claim now (the worker has no thread free for them), or NULL.
--
-- A worker takes at most one suspect, a job that lost a lease before (migration 0011),
-- and only while it holds none: then a worker that dies held one suspect at most, the
-- one whose lost lease rescue_expired_leases counts.
WITH offer AS (
    SELECT o.handed_job FROM {schema}.idle_workers o
     WHERE $6::boolean AND o.worker_id = $3
       FOR UPDATE
), handed AS (
    SELECT j.id, j.task, j.queue, j.payload::text AS payload, j.priority, j.attempts,
           j.max_attempts, j.timeout, j.lease_token, 0::float8 AS waited
      FROM offer, {schema}.handed_over(offer.handed_job, $3) AS j
     WHERE j.id IS DISTINCT FROM $7::uuid
), picked AS (
    SELECT j.id FROM {schema}.jobs j
     WHERE j.status IN ('scheduled', 'queued', 'retrying')
       AND j.run_at <= now()
       AND ($1::text[] IS NULL OR j.queue = ANY($1::text[]))
       AND ($10::text[] IS NULL OR j.task <> ALL($10::text[]))
       -- NOT IN (a hashed filter), not NOT EXISTS (an anti-join): the scan must stay in
       -- index order so that LIMIT stops it after $2 rows, whatever the backlog. A
       -- limited queue's jobs are claim_limited_jobs' (limits.sql, migration 0014).
       AND j.queue NOT IN (SELECT q.name FROM {schema}.queues q WHERE q.paused OR q.limited)
       AND NOT j.suspect
     ORDER BY j.priority DESC, j.run_at, j.id
     LIMIT $2
     FOR UPDATE SKIP LOCKED
), suspect AS (
    -- The same scan over the suspects' own index, for one of them at most.
    SELECT j.id FROM {schema}.jobs j
     WHERE j.suspect AND j.status IN ('scheduled', 'queued', 'retrying')
       AND j.run_at <= now()
       AND ($1::text[] IS NULL OR j.queue = ANY($1::text[]))
       AND ($10::text[] IS NULL OR j.task <> ALL($10::text[]))
       AND j.queue NOT IN (SELECT q.name FROM {schema}.queues q WHERE q.paused OR q.limited)
       AND NOT EXISTS (SELECT 1 FROM {schema}.jobs r
                        WHERE r.suspect AND r.status = 'running' AND r.worker_id = $3)
     ORDER BY j.priority DESC, j.run_at, j.id
     LIMIT 1
     FOR UPDATE SKIP LOCKED
), kept AS (
    -- A collected job takes one slot. Cut here, not in the scan: a LIMIT the planner
    -- cannot read makes it guess a tenth of the table, and plan the scan for that. (The
    -- rows come in the scans' order, the suspect first so that a busy backlog never
    -- starves it; were it otherwise, a job left out here would only wait for the next
    -- claim.)
    SELECT k.id FROM (SELECT id FROM suspect UNION ALL SELECT id FROM picked) AS k
     LIMIT $2::integer - (SELECT count(*) FROM handed)
), claimed AS (
    UPDATE {schema}.jobs j
       SET status = 'running', attempts = j.attempts + 1, worker_id = $3,
           lease_token = gen_random_uuid(),
           lease_expires_at = now() + make_interval(secs => $4), started_at = now()
      FROM kept
     WHERE j.id = kept.id AND j.status IN ('scheduled', 'queued', 'retrying')
    RETURNING j.id, j.task, j.queue, j.payload::text AS payload, j.priority, j.attempts,
              j.max_attempts, j.timeout, j.lease_token,
              extract(epoch FROM now() - j.run_at)::float8 AS waited
), spare AS (
    SELECT $5::integer IS NOT NULL
           AND (SELECT count(*) FROM claimed) + (SELECT count(*) FROM handed) < $2::integer
           AS reopen
), reopened AS (
    INSERT INTO {schema}.idle_workers AS o
           (worker_id, queues, lease_seconds, listener_pid, generation, open_until, open,
            handed_job)
    SELECT $3, $1::text[], $4, $5::integer, $8::bigint,
           now() + make_interval(secs => $9::float8), true, NULL
      FROM spare WHERE reopen
    ON CONFLICT (worker_id) DO UPDATE
       SET queues = excluded.queues, lease_seconds = excluded.lease_seconds,
           listener_pid = excluded.listener_pid, generation = excluded.generation,
           open_until = excluded.open_until, open = true, handed_job = NULL
), closed AS (
    UPDATE {schema}.idle_workers o SET open = false, handed_job = NULL
      FROM spare
     WHERE $6::boolean AND o.worker_id = $3 AND NOT spare.reopen
)
SELECT * FROM claimed
UNION ALL
SELECT * FROM handed;

-- name: read_handed_job
-- The job handed to worker $1 through the opening $2 of its offer, as its hand-off
-- notification names it ($3). Every part is checked, since anyone may send such a
-- notification: the offer row still holds this job from this opening (the worker sends
-- no claim statement, which would open the offer again, before this answers), and the
-- job is running, written as this worker's.
SELECT j.id, j.task, j.queue, j.payload::text AS payload, j.priority, j.attempts,
       j.max_attempts, j.timeout, j.lease_token, 0::float8 AS waited
  FROM {schema}.idle_workers o
  JOIN {schema}.jobs j ON j.id = o.handed_job
 WHERE o.worker_id = $1 AND o.generation = $2 AND o.handed_job = $3
   AND j.status = 'running' AND j.worker_id = $1;

-- name: cancel_is_requested
-- Whether the running job $1, held under lease token $2, is asked to stop: a worker
-- checks it before acting on a cancel notification, which anyone may send.
SELECT j.cancel_requested FROM {schema}.jobs j
 WHERE j.id = $1 AND j.status = 'running' AND j.lease_token = $2;

-- name: withdraw_offer
-- A stopping worker takes back its offer; a job handed over through it that the worker
-- has not started ($2) comes back, with its lease token, to be released.
WITH gone AS (
    DELETE FROM {schema}.idle_workers WHERE worker_id = $1 RETURNING handed_job
)
SELECT j.id, j.lease_token FROM gone, {schema}.handed_over(gone.handed_job, $1) AS j
 WHERE j.id IS DISTINCT FROM $2::uuid;

-- name: complete_jobs
-- Record successes, fenced: only a job still running under the same lease token changes.
UPDATE {schema}.jobs j
   SET status = 'succeeded', finished_at = now(), result = d.result::jsonb,
       lease_token = NULL, lease_expires_at = NULL, last_error = NULL,
       history = j.history || jsonb_build_array(jsonb_build_object(
           'number', j.attempts, 'worker', j.worker_id, 'started_at', j.started_at,
           'lease_token', j.lease_token,
           'finished_at', now(), 'outcome', 'succeeded', 'error', NULL))
  FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS d(id, token, result)
 WHERE j.id = d.id AND j.status = 'running' AND j.lease_token = d.token
RETURNING j.id;

-- name: fail_jobs
-- Record failed attempts, fenced like complete_jobs. A job with attempts left waits
-- $4 seconds in 'retrying'; one without goes to 'failed', the dead-letter set. A job
-- whose cancel was requested ends 'cancelled' either way: the request may have come too
-- late to stop the task, or the task may have failed while being stopped.
UPDATE {schema}.jobs j
   SET status = CASE WHEN j.cancel_requested THEN 'cancelled'
                     WHEN j.attempts >= j.max_attempts THEN 'failed'
                     ELSE 'retrying' END,
       finished_at = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts
                          THEN now() END,
       run_at = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts THEN j.run_at
                     ELSE now() + make_interval(secs => f.delay) END,
       lease_token = NULL, lease_expires_at = NULL, last_error = f.error,
       history = j.history || jsonb_build_array(jsonb_build_object(
           'number', j.attempts, 'worker', j.worker_id, 'started_at', j.started_at,
           'lease_token', j.lease_token,
           'finished_at', now(), 'outcome', f.outcome, 'error', f.detail))
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::float8[], $5::text[], $6::text[])
       AS f(id, token, error, delay, outcome, detail)
 WHERE j.id = f.id AND j.status = 'running' AND j.lease_token = f.token
RETURNING j.id, j.status;

-- name: cancel_running_jobs
-- The worker stopped running jobs on request: mark them cancelled, fenced, and only those
-- whose cancel was requested indeed (a notification alone proves nothing).
UPDATE {schema}.jobs j
   SET status = 'cancelled', finished_at = now(), lease_token = NULL, lease_expires_at = NULL,
       history = j.history || jsonb_build_array(jsonb_build_object(
           'number', j.attempts, 'worker', j.worker_id, 'started_at', j.started_at,
           'lease_token', j.lease_token,
           'finished_at', now(), 'outcome', 'cancelled', 'error', NULL))
  FROM unnest($1::uuid[], $2::uuid[]) AS c(id, token)
 WHERE j.id = c.id AND j.status = 'running' AND j.lease_token = c.token
   AND j.cancel_requested
RETURNING j.id;

-- name: release_jobs
-- A stopping worker gives back jobs it could not finish: runnable at once, and the
-- attempt does not count against the job (it did not fail). A job whose cancel was
-- requested is not given back but ends cancelled, as the worker would have ended it.
WITH released AS (
    UPDATE {schema}.jobs j
       SET status = CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'queued' END,
           finished_at = CASE WHEN j.cancel_requested THEN now() END,
           run_at = now(),
           attempts = CASE WHEN j.cancel_requested THEN j.attempts
                           ELSE greatest(j.attempts - 1, 0) END,
           lease_token = NULL, lease_expires_at = NULL,
           history = j.history || jsonb_build_array(jsonb_build_object(
               'number', j.attempts, 'worker', j.worker_id, 'started_at', j.started_at,
               'lease_token', j.lease_token,
               'finished_at', now(),
               'outcome', CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'released' END,
               'error', NULL))
      FROM unnest($1::uuid[], $2::uuid[]) AS r(id, token)
     WHERE j.id = r.id AND j.status = 'running' AND j.lease_token = r.token
    RETURNING j.id, j.queue, j.status
), notified AS (
    SELECT pg_notify({channel}, 'q:' || queue)
      FROM (SELECT DISTINCT queue FROM released WHERE status = 'queued') q
)
SELECT released.id FROM released, (SELECT count(*) FROM notified) AS n;

-- name: renew_leases
-- Heartbeat: extend the leases this worker ($4) still holds. A job missing from the
-- answer was taken away (rescued, cancelled, deleted); cancel_requested asks the worker
-- to stop. A job handed over through its offer is its own even before the worker has read
-- the notification (a task may be blocking its event loop): that lease is kept too.
WITH handed AS (
    UPDATE {schema}.jobs j
       SET lease_expires_at = now() + make_interval(secs => $3)
      FROM {schema}.idle_workers o
     WHERE o.worker_id = $4 AND j.id = o.handed_job AND j.status = 'running'
       AND j.worker_id = $4
       AND j.id <> ALL($1::uuid[])  -- held ones below: one update per row and statement
)
UPDATE {schema}.jobs j
   SET lease_expires_at = now() + make_interval(secs => $3)
  FROM unnest($1::uuid[], $2::uuid[]) AS l(id, token)
 WHERE j.id = l.id AND j.status = 'running' AND j.lease_token = l.token
RETURNING j.id, j.cancel_requested;
