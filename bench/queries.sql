-- Statements of the benchmark (bench/storage.py) only; the engine never runs them.

-- name: bench_unfinished_count
-- Jobs not finished yet: the benchmark waits for this to reach zero.
SELECT count(*) FROM {schema}.jobs
 WHERE status IN ('scheduled', 'queued', 'running', 'retrying');

-- name: bench_succeeded_count
SELECT count(*) FROM {schema}.jobs WHERE status = 'succeeded';

-- name: bench_fill_history
-- $1 finished jobs, as a long-running deployment keeps them, written in one statement.
-- Ids are ordered (like uuid7) and older than any real job's, as history would be.
INSERT INTO {schema}.jobs
    (id, task, queue, payload, priority, status, attempts, max_attempts, run_at,
     created_at, started_at, finished_at, result, history)
SELECT lpad(to_hex($2::bigint + g), 32, '0')::uuid, 'bench.noop', 'default', '{}', 0,
       'succeeded', 1, 5, now() - interval '1 day', now() - interval '1 day',
       now() - interval '1 day', now() - interval '1 day', 'null', '[]'
  FROM generate_series(1, $1::bigint) AS g;

-- name: bench_analyze
ANALYZE {schema}.jobs;

-- name: bench_drop_schema
DROP SCHEMA IF EXISTS {schema} CASCADE;

-- name: bench_fill_expired
-- $1 finished jobs as the engine leaves them (a payload, a result, one attempt in the
-- history), finished over the hour before $2 seconds ago: all past a retention of $2.
INSERT INTO {schema}.jobs
    (id, task, queue, payload, priority, status, attempts, max_attempts, run_at,
     created_at, started_at, finished_at, result, worker_id, history)
SELECT lpad(to_hex(g), 32, '0')::uuid, 'bench.noop', 'default', jsonb_build_object('n', g),
       0, 'succeeded', 1, 5, t.at, t.at, t.at, t.at, 'null', 'bench:1:0',
       jsonb_build_array(jsonb_build_object(
           'number', 1, 'worker', 'bench:1:0', 'started_at', t.at, 'finished_at', t.at,
           'outcome', 'succeeded', 'error', NULL))
  FROM generate_series(1, $1::bigint) AS g,
       LATERAL (SELECT now() - make_interval(secs => $2 + 3600.0 * (1 - g::float8 / $1))
                    AS at) AS t;

-- name: bench_expired_left
-- Whether any finished job past a retention of $1 seconds is left.
SELECT EXISTS (SELECT 1 FROM {schema}.jobs
                WHERE status IN ('succeeded', 'failed', 'cancelled')
                  AND finished_at < now() - make_interval(secs => $1));

-- name: bench_socket_directory
-- Where the server's Unix socket is (the first of its directories), if it has one.
SELECT split_part(current_setting('unix_socket_directories'), ',', 1);

-- name: bench_fleet_backends
-- The backends of the schema's pools at this moment: (working, waiting on a lock).
SELECT count(*) FILTER (WHERE state = 'active'),
       count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')
  FROM pg_stat_activity
 WHERE application_name = $1;

-- name: bench_wal_position
-- Bytes of WAL written since the cluster began (the server's, every database's).
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8;

-- name: bench_fill_mixed_history
-- $1 finished jobs as the engine leaves them, spread over queues, tasks, outcomes and
-- tags as a long-running deployment keeps them: a payload, a result, one attempt in the
-- history, finished over the day before yesterday. Ids are ordered (like uuid7), start
-- after $2 and are older than any real job's.
INSERT INTO {schema}.jobs
    (id, task, queue, payload, priority, status, attempts, max_attempts, run_at,
     created_at, started_at, finished_at, last_error, result, worker_id, tags, history)
SELECT lpad(to_hex($2::bigint + g), 32, '0')::uuid,
       (ARRAY['bench.noop', 'mail.send', 'report.build', 'image.resize'])[1 + g % 4],
       CASE WHEN g % 10 = 0 THEN 'mail' WHEN g % 101 = 0 THEN 'rare' ELSE 'default' END,
       jsonb_build_object('n', g, 'to', 'user' || g % 1000 || '@example.com'),
       0, s.status, 1, 1, t.at, t.at, t.at, t.at,
       CASE WHEN s.status = 'failed' THEN 'RuntimeError: boom' END,
       jsonb_build_object('ok', s.status = 'succeeded'), 'bench:1:0',
       CASE WHEN g % 20 = 0 THEN ARRAY['customer-' || g % 997] ELSE '{}' END,
       jsonb_build_array(jsonb_build_object(
           'number', 1, 'worker', 'bench:1:0', 'started_at', t.at, 'finished_at', t.at,
           'outcome', s.status, 'error', NULL))
  FROM generate_series(1, $1::bigint) AS g,
       LATERAL (SELECT CASE WHEN g % 97 = 0 THEN 'failed' WHEN g % 89 = 0 THEN 'cancelled'
                            ELSE 'succeeded' END AS status) AS s,
       LATERAL (SELECT now() - interval '2 days' + make_interval(secs => g * 0.001)
                    AS at) AS t;

-- name: bench_vacuum_analyze
VACUUM ANALYZE {schema}.jobs;

-- name: bench_unfinished_in_queue
-- Jobs of queue $1 not finished yet.
SELECT count(*) FROM {schema}.jobs
 WHERE queue = $1 AND status IN ('scheduled', 'queued', 'running', 'retrying');
