-- Worker processes and the task names they registered.

-- name: upsert_worker
INSERT INTO {schema}.workers (id, host, pid, queues, concurrency, running)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE
   SET last_seen = now(), running = excluded.running;

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
