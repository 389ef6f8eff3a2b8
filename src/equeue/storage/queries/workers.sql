-- Worker processes and the task names they registered.

-- name: upsert_worker
-- $7: the lease the worker takes jobs under (NULL keeps the one it stated before).
INSERT INTO {schema}.workers AS w (id, host, pid, queues, concurrency, running, lease_seconds)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE
   SET last_seen = now(), running = excluded.running,
       lease_seconds = coalesce(excluded.lease_seconds, w.lease_seconds);

-- name: report_worker_threads
-- Worker $1 has $2 abandoned task threads; $3: it claims no plain (non-async) tasks' jobs.
UPDATE {schema}.workers SET abandoned_threads = $2, sync_claims_paused = $3 WHERE id = $1;

-- name: delete_worker
DELETE FROM {schema}.workers WHERE id = $1;

-- name: list_workers
SELECT * FROM {schema}.workers ORDER BY started_at;

-- name: register_tasks
INSERT INTO {schema}.tasks (name, queue, priority, max_attempts, timeout)
SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::integer[], $5::float8[])
ON CONFLICT (name) DO UPDATE
   SET queue = excluded.queue, priority = excluded.priority,
       max_attempts = excluded.max_attempts, timeout = excluded.timeout, last_seen = now();

-- name: task_defaults
SELECT name, queue, priority, max_attempts, timeout FROM {schema}.tasks
 WHERE name = ANY($1::text[]);

-- name: list_tasks
SELECT * FROM {schema}.tasks ORDER BY name;

-- name: set_queue_paused
INSERT INTO {schema}.queues (name, paused) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = now()
RETURNING name, paused;

-- name: list_queue_flags
SELECT name, paused FROM {schema}.queues;

-- name: touch_remote_worker
-- A worker over HTTP ($1) was heard from at the address $2: listed, or refreshed with the
-- number of jobs it holds now. $3 the queue it claimed from, added to its queues (NULL
-- from a heartbeat); $4 the most jobs it asked for at once; $5 the lease it asked for.
-- Its pid is 0: it is no process of ours, and nothing of ours deletes its row but the
-- pruning of silent workers.
INSERT INTO {schema}.workers AS w (id, host, pid, queues, concurrency, running, lease_seconds)
SELECT $1, $2, 0, CASE WHEN $3::text IS NULL THEN '{}'::text[] ELSE ARRAY[$3::text] END,
       $4, held.n, $5
  FROM (SELECT count(*)::integer AS n FROM {schema}.jobs j
         WHERE j.status = 'running' AND j.worker_id = $1) AS held
ON CONFLICT (id) DO UPDATE
   SET last_seen = now(), running = excluded.running, host = excluded.host,
       queues = CASE WHEN $3::text IS NULL OR $3::text = ANY(w.queues) THEN w.queues
                     ELSE w.queues || $3::text END,
       concurrency = greatest(w.concurrency, excluded.concurrency),
       lease_seconds = excluded.lease_seconds;
