-- Statements of the benchmark (equeue.benchmark) only; the engine never runs them.

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
