-- Fleet-wide job statistics (table job_stats, see migration 0002).

-- name: add_job_stats
-- Add a worker's counts since its last write, to the totals and to the current 10-second
-- step of job_stats_steps (per queue). $7 picks the shard row of the totals, so concurrent
-- writers rarely wait on one another; rows are taken in one order to avoid deadlocks.
WITH counts AS (
    SELECT queue, task, metric, le, n, total
      FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bigint[], $6::float8[])
           AS c(queue, task, metric, le, n, total)
), steps AS (
    INSERT INTO {schema}.job_stats_steps AS s (at, queue, metric, le, n, total)
    SELECT date_bin('10 seconds', now(), timestamptz 'epoch'), queue, metric, le,
           sum(n), sum(total)
      FROM counts
     GROUP BY queue, metric, le
     ORDER BY queue, metric, le
    ON CONFLICT (at, queue, metric, le)
       DO UPDATE SET n = s.n + excluded.n, total = s.total + excluded.total
)
INSERT INTO {schema}.job_stats AS s (queue, task, metric, le, shard, n, total)
SELECT queue, task, metric, le, $7, n, total
  FROM counts
 ORDER BY queue, task, metric, le
ON CONFLICT (queue, task, metric, le, shard)
   DO UPDATE SET n = s.n + excluded.n, total = s.total + excluded.total;

-- name: stats_steps
-- Counts of $4 metrics per step of $1 seconds over the last $2 steps (the current one
-- last), of queue $3 or all: one row per step and (metric, bucket), and one row with a
-- NULL metric for a step without counts. Steps align on multiples of $1 since the epoch;
-- the first step's start is a plain bound on the primary key's first column.
WITH bounds AS (
    SELECT date_bin(make_interval(secs => $1::int), now(), timestamptz 'epoch') AS last,
           date_bin(make_interval(secs => $1::int), now(), timestamptz 'epoch')
               - make_interval(secs => $1::int * ($2::int - 1)) AS first
), steps AS (
    SELECT generate_series(b.first, b.last, make_interval(secs => $1::int)) AS at FROM bounds b
), cells AS (
    SELECT date_bin(make_interval(secs => $1::int), s.at, timestamptz 'epoch') AS at,
           s.metric, s.le, sum(s.n)::bigint AS n
      FROM {schema}.job_stats_steps s
     WHERE s.at >= (SELECT first FROM bounds)
       AND ($3::text IS NULL OR s.queue = $3)
       AND s.metric = ANY($4::text[])
     GROUP BY 1, 2, 3
)
SELECT steps.at, cells.metric, cells.le, cells.n
  FROM steps LEFT JOIN cells ON cells.at = steps.at
 ORDER BY steps.at, cells.metric, cells.le;
