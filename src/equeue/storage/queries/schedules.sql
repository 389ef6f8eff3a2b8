-- Periodic jobs (migration 0013, docs/periodic.md): the schedules, and the ticks the
-- maintenance leader enqueues for them.

-- name: database_now
SELECT now();

-- name: list_schedules
SELECT * FROM {schema}.schedules ORDER BY name;

-- name: get_schedule
SELECT * FROM {schema}.schedules WHERE name = $1;

-- name: lock_schedule
-- The schedule, locked for the rest of the transaction (a read-modify-write), and the
-- database's clock.
SELECT now() AS now, s.* FROM {schema}.schedules s WHERE name = $1 FOR UPDATE;

-- name: create_schedule
-- A schedule made at run time; nothing when the name is taken.
INSERT INTO {schema}.schedules (name, task, cron, timezone, payload, queue, priority,
                                on_missed, catch_up_limit, paused, next_run_at, source)
VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, 'api')
ON CONFLICT (name) DO NOTHING
RETURNING *;

-- name: upsert_code_schedule
-- A schedule of @queue.periodic, written as a worker starts. Its definition follows the
-- code; its paused flag is the operators' and stays. Its next tick moves only when the
-- cron expression or time zone changed. A schedule of this name made over the API is
-- left alone. A definition already written as is is not written again.
INSERT INTO {schema}.schedules AS s (name, task, cron, timezone, payload, queue, priority,
                                on_missed, catch_up_limit, next_run_at, source)
VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, 'code')
ON CONFLICT (name) DO UPDATE
   SET task = excluded.task, cron = excluded.cron, timezone = excluded.timezone,
       payload = excluded.payload, queue = excluded.queue, priority = excluded.priority,
       on_missed = excluded.on_missed, catch_up_limit = excluded.catch_up_limit,
       next_run_at = CASE WHEN (s.cron, s.timezone) = (excluded.cron, excluded.timezone)
                          THEN s.next_run_at ELSE excluded.next_run_at END,
       updated_at = now()
 WHERE s.source = 'code'
   AND (s.task, s.cron, s.timezone, s.payload, s.queue, s.priority, s.on_missed,
        s.catch_up_limit)
       IS DISTINCT FROM (excluded.task, excluded.cron, excluded.timezone, excluded.payload,
                         excluded.queue, excluded.priority, excluded.on_missed,
                         excluded.catch_up_limit);

-- name: update_schedule
UPDATE {schema}.schedules
   SET task = $2, cron = $3, timezone = $4, payload = $5::jsonb, queue = $6, priority = $7,
       on_missed = $8, catch_up_limit = $9, paused = $10, next_run_at = $11,
       updated_at = now()
 WHERE name = $1
RETURNING *;

-- name: delete_schedule
DELETE FROM {schema}.schedules WHERE name = $1 RETURNING name;

-- name: due_schedules
-- The schedules whose next tick has come by the database's clock, with that clock. Locked
-- for the round: a second round at the same time (two leaders) passes them by.
SELECT now() AS now, s.* FROM {schema}.schedules s
 WHERE NOT paused AND next_run_at <= now()
 ORDER BY next_run_at
 LIMIT $1
   FOR UPDATE SKIP LOCKED;

-- name: claim_schedule_ticks
-- Move schedule $1's next tick from $2 to $3, if it still is $2 (compare-and-set), and
-- write down the ticks $4 being enqueued. Returns the ticks that were not written down
-- before: only those get a job. Either guard alone keeps a tick from a second job.
WITH advanced AS (
    UPDATE {schema}.schedules SET next_run_at = $3
     WHERE name = $1 AND next_run_at = $2 AND NOT paused
    RETURNING name
)
INSERT INTO {schema}.schedule_ticks (schedule, tick_at)
SELECT advanced.name, tick FROM advanced, unnest($4::timestamptz[]) AS tick
ON CONFLICT (schedule, tick_at) DO NOTHING
RETURNING tick_at;

-- name: record_schedule_jobs
-- The jobs of schedule $1's ticks $2 are $3: the ticks and the schedule's last run say so.
WITH recorded AS (
    UPDATE {schema}.schedule_ticks t SET job_id = x.job_id
      FROM unnest($2::timestamptz[], $3::uuid[]) AS x (tick_at, job_id)
     WHERE t.schedule = $1 AND t.tick_at = x.tick_at
    RETURNING t.tick_at, t.job_id
), latest AS (
    SELECT tick_at, job_id FROM recorded ORDER BY tick_at DESC LIMIT 1
)
UPDATE {schema}.schedules s
   SET last_run_at = latest.tick_at, last_job_id = latest.job_id
  FROM latest
 WHERE s.name = $1 AND (s.last_run_at IS NULL OR s.last_run_at < latest.tick_at);

-- name: prune_schedule_ticks
-- Ticks enqueued longer ago than $1 seconds, $2 at most: the schedules have long moved
-- past them.
DELETE FROM {schema}.schedule_ticks
 WHERE (schedule, tick_at) IN (
     SELECT schedule, tick_at FROM {schema}.schedule_ticks
      WHERE enqueued_at < now() - make_interval(secs => $1)
      ORDER BY enqueued_at
      LIMIT $2)
RETURNING 1;
