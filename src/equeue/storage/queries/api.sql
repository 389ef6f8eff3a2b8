-- Statements of the REST API: keys, queue statistics, events, metrics.

-- name: insert_api_key
INSERT INTO {schema}.api_keys (id, name, scopes, secret_hash)
VALUES ($1, $2, $3::text[], $4)
RETURNING id, name, scopes, created_at, revoked_at, expires_at;

-- name: get_api_key
-- A key that has not been revoked nor expired, with its hash for the constant-time
-- comparison and its expiry (a cached key is refused once it passes).
SELECT id, scopes, secret_hash, expires_at FROM {schema}.api_keys
 WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());

-- name: list_api_keys
SELECT id, name, scopes, created_at, revoked_at, expires_at
  FROM {schema}.api_keys ORDER BY created_at, id;

-- name: revoke_api_key
UPDATE {schema}.api_keys SET revoked_at = now()
 WHERE id = $1 AND revoked_at IS NULL
RETURNING id;

-- name: queue_stats
-- Per queue: jobs by status (from the counters, migration 0009), the paused flag, the age
-- of the oldest runnable job (one probe of jobs_waiting_by_queue per queue, whose
-- predicate says "waiting" as neither finished nor running), and how many
-- jobs finished in the last $1 seconds, by outcome (a range of jobs_finished_at: it grows
-- with the jobs finished in that window, not with history). Queues known only from the
-- queues table (paused before any job came) are listed too.
WITH counts AS (
    SELECT queue, status, sum(n)::bigint AS n
      FROM (SELECT queue, status, n FROM {schema}.job_counts
            UNION ALL
            SELECT queue, status, n FROM {schema}.job_count_changes) AS c
     GROUP BY queue, status
    HAVING sum(n) <> 0
), recent AS (
    SELECT queue,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE status = 'failed') AS failed
      FROM {schema}.any_jobs  -- recent: the newest partition of job_history, if any
     WHERE status IN ('succeeded', 'failed', 'cancelled')
       AND finished_at > now() - make_interval(secs => $1)
     GROUP BY queue
), names AS (
    SELECT DISTINCT queue AS name FROM counts
    UNION
    SELECT name FROM {schema}.queues
)
SELECT names.name,
       coalesce(q.paused, false) AS paused,
       coalesce((SELECT jsonb_object_agg(c.status, c.n) FROM counts c WHERE c.queue = names.name),
                '{}')::text AS counts,
       (SELECT extract(epoch FROM now() - w.run_at)::double precision
          FROM {schema}.jobs w
         WHERE w.queue = names.name AND w.finished_at IS NULL AND w.status <> 'running'
           AND w.run_at <= now()
         ORDER BY w.run_at
         LIMIT 1) AS oldest_queued_age,
       coalesce(r.succeeded, 0) AS succeeded_recent,
       coalesce(r.failed, 0) AS failed_recent
  FROM names
  LEFT JOIN {schema}.queues q ON q.name = names.name
  LEFT JOIN recent r ON r.queue = names.name
 ORDER BY names.name;

-- name: live_workers
-- Workers seen in the last $1 seconds, each with the jobs it runs now and how long ago
-- it was heard from; stale when that is longer than its lease (else $2 seconds).
SELECT w.id, w.host, w.pid, w.queues, w.concurrency, w.running, w.abandoned_threads,
       w.sync_claims_paused, w.started_at, w.last_seen,
       extract(epoch FROM now() - w.last_seen)::float8 AS heartbeat_age_seconds,
       now() - w.last_seen > make_interval(secs => coalesce(w.lease_seconds, $2)) AS stale,
       coalesce(r.ids, '{}') AS running_jobs
  FROM {schema}.workers w
  LEFT JOIN (SELECT worker_id, array_agg(id ORDER BY id) AS ids
               FROM {schema}.jobs WHERE status = 'running'
              GROUP BY worker_id) r ON r.worker_id = w.id
 WHERE w.last_seen > now() - make_interval(secs => $1)
 ORDER BY w.started_at, w.id;

-- name: watch_events
-- This API process has events clients: keep the triggers sending events for $2 seconds
-- more. Leases of processes that died without saying so are cleared on the way.
WITH gone AS (
    DELETE FROM {schema}.event_watchers WHERE expires_at < now() - interval '1 minute'
)
INSERT INTO {schema}.event_watchers (id, expires_at)
VALUES ($1, now() + make_interval(secs => $2))
ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at;

-- name: unwatch_events
DELETE FROM {schema}.event_watchers WHERE id = $1;

-- name: event_jobs
-- What the event hub adds to a batch of notified ids: each job's task and queue.
SELECT id, task, queue FROM {schema}.any_jobs WHERE id = ANY($1::uuid[]);

-- name: stats_totals
-- The fleet-wide counters and histogram buckets, summed over shards.
SELECT queue, task, metric, le, sum(n)::bigint AS n, sum(total) AS total
  FROM {schema}.job_stats
 GROUP BY queue, task, metric, le
 ORDER BY queue, task, metric, le;

-- name: count_live_workers
SELECT count(*) FROM {schema}.workers WHERE last_seen > now() - make_interval(secs => $1);
