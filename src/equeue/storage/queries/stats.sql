-- Fleet-wide job statistics (table job_stats, see migration 0002).

-- name: add_job_stats
-- Add a worker's counts since its last write. $7 picks the shard row, so concurrent
-- writers rarely wait on one another; rows are taken in one order to avoid deadlocks.
INSERT INTO {schema}.job_stats AS s (queue, task, metric, le, shard, n, total)
SELECT queue, task, metric, le, $7, n, total
  FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bigint[], $6::float8[])
       AS c(queue, task, metric, le, n, total)
 ORDER BY queue, task, metric, le
ON CONFLICT (queue, task, metric, le, shard)
   DO UPDATE SET n = s.n + excluded.n, total = s.total + excluded.total;
