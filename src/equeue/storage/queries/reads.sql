-- What operators poll, at a cost that does not grow with the number of finished jobs
-- kept: counts from the counters, pages of jobs from index ranges (migration 0009).

-- name: fold_job_counts
-- Move the counted changes into job_counts, unless another process is doing it right
-- now ($1 names the duty's lock): one statement, so a reader sees the changes either all
-- before the fold or all after it. Counts that reached zero in an earlier fold and are
-- not changed by this one are removed. Returns how many changes were folded.
WITH duty AS MATERIALIZED (
    SELECT pg_try_advisory_xact_lock(hashtext('equeue'), hashtext($1)) AS held
), moved AS (
    DELETE FROM {schema}.job_count_changes WHERE (SELECT held FROM duty)
    RETURNING queue, task, status, n
), summed AS (
    SELECT queue, task, status, sum(n)::bigint AS n FROM moved GROUP BY queue, task, status
), added AS (
    INSERT INTO {schema}.job_counts AS c (queue, task, status, n)
    SELECT queue, task, status, n FROM summed ORDER BY queue, task, status
    ON CONFLICT (queue, task, status) DO UPDATE SET n = c.n + excluded.n
), emptied AS (
    DELETE FROM {schema}.job_counts c
     WHERE c.n = 0 AND (SELECT held FROM duty)
       AND NOT EXISTS (SELECT 1 FROM summed s
                        WHERE (s.queue, s.task, s.status) = (c.queue, c.task, c.status))
)
SELECT count(*) AS folded FROM moved;

-- name: count_jobs
-- Jobs per queue and status: the folded counts plus the changes not folded yet, read in
-- one snapshot.
SELECT queue, status, sum(n)::bigint AS n
  FROM (SELECT queue, status, n FROM {schema}.job_counts
        UNION ALL
        SELECT queue, status, n FROM {schema}.job_count_changes) AS c
 GROUP BY queue, status
HAVING sum(n) <> 0;

-- Pages of jobs, newest first, keyset paginated by id (ids are time-ordered). Every
-- list statement takes the same parameters and applies every filter, so any of them
-- answers any combination rightly; they differ in the index that drives the scan, which
-- is named by an equality in the statement (never by "$n IS NULL OR ..."), so that a
-- cached generic plan drives it too. Storage picks the statement from the filters given.
--   $1 status, $2 queue, $3 task, $4 tag, $5 page size, $6 the last id seen,
--   $7 $8 $9 whether to read payload, result and history (a page carries none of these
--   unless asked), $10 id, $11 dedupe key.
-- Each reads jobs and job_history (migration 0017) apart, each along its own index and
-- for a page at most, and merges the two by id; the page's rows are then fetched by id
-- and finish time, so that only the one partition that holds an archived job is read.

-- name: list_jobs_newest
-- No filter: along the primary key of jobs, and in job_history along the range of each
-- (queue, task, status) the counters know of (job_history_by_kind), merged.
WITH page AS (
    SELECT p.id, p.finished_at FROM (
        (SELECT j.id, j.finished_at FROM {schema}.jobs j
          WHERE true
            AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
            AND ($3::text IS NULL OR j.task = $3) AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
            AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
            AND ($6::uuid IS NULL OR j.id < $6)
          ORDER BY j.id DESC
          LIMIT $5)
        UNION ALL
        (SELECT f.id, f.finished_at
           FROM (SELECT c.queue, c.task, c.status
                   FROM (SELECT queue, task, status, n FROM {schema}.job_counts
                         UNION ALL
                         SELECT queue, task, status, n FROM {schema}.job_count_changes) AS c
                  WHERE c.status IN ('succeeded', 'failed', 'cancelled')
                  GROUP BY c.queue, c.task, c.status
                 HAVING sum(c.n) > 0) AS kinds
          CROSS JOIN LATERAL (
             SELECT j.id, j.finished_at FROM {schema}.job_history j
              WHERE j.queue = kinds.queue AND j.task = kinds.task AND j.status = kinds.status
                AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
                AND ($3::text IS NULL OR j.task = $3)
                AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
                AND ($10::uuid IS NULL OR j.id = $10)
                AND ($11::text IS NULL OR j.dedupe_key = $11)
                AND ($6::uuid IS NULL OR j.id < $6)
              ORDER BY j.id DESC
              LIMIT $5) AS f
          ORDER BY f.id DESC
          LIMIT $5)) AS p
     ORDER BY p.id DESC
     LIMIT $5
)
SELECT j.id, j.task, j.queue, j.priority, j.status, j.attempts, j.max_attempts, j.timeout,
       j.created_at, j.run_at, j.started_at, j.finished_at, j.last_error, j.dedupe_key,
       j.tags, j.worker_id, j.cancel_requested, j.progress,
       CASE WHEN $7::boolean THEN j.payload END AS payload,
       CASE WHEN $8::boolean THEN j.result END AS result,
       CASE WHEN $9::boolean THEN j.history END AS history
  FROM page CROSS JOIN LATERAL (
        SELECT * FROM {schema}.jobs x WHERE x.id = page.id
        UNION ALL
        SELECT * FROM {schema}.job_history x
         WHERE x.id = page.id AND x.finished_at = page.finished_at) AS j
 ORDER BY j.id DESC;

-- name: list_jobs_by_id
-- One job by its id (the primary key, or job_history's id index), if it passes the other
-- filters.
WITH page AS (
    SELECT j.id, j.finished_at FROM {schema}.jobs j
     WHERE j.id = $10
       AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
       AND ($3::text IS NULL OR j.task = $3) AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
       AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
       AND ($6::uuid IS NULL OR j.id < $6)
    UNION ALL
    SELECT j.id, j.finished_at FROM {schema}.job_history j
     WHERE j.id = $10
       AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
       AND ($3::text IS NULL OR j.task = $3) AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
       AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
       AND ($6::uuid IS NULL OR j.id < $6)
     LIMIT $5
)
SELECT j.id, j.task, j.queue, j.priority, j.status, j.attempts, j.max_attempts, j.timeout,
       j.created_at, j.run_at, j.started_at, j.finished_at, j.last_error, j.dedupe_key,
       j.tags, j.worker_id, j.cancel_requested, j.progress,
       CASE WHEN $7::boolean THEN j.payload END AS payload,
       CASE WHEN $8::boolean THEN j.result END AS result,
       CASE WHEN $9::boolean THEN j.history END AS history
  FROM page CROSS JOIN LATERAL (
        SELECT * FROM {schema}.jobs x WHERE x.id = page.id
        UNION ALL
        SELECT * FROM {schema}.job_history x
         WHERE x.id = page.id AND x.finished_at = page.finished_at) AS j
 ORDER BY j.id DESC;

-- name: list_jobs_by_dedupe_key
-- The jobs that held a dedupe key: the unfinished one (unique index jobs_dedupe_key),
-- then the finished ones (jobs_finished_dedupe_key, job_history_dedupe_key).
WITH found AS (
    (SELECT j.id, j.finished_at FROM {schema}.jobs j
      WHERE j.dedupe_key = $11 AND j.status IN ('scheduled', 'queued', 'running', 'retrying')
        AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
        AND ($3::text IS NULL OR j.task = $3) AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
        AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
        AND ($6::uuid IS NULL OR j.id < $6)
      LIMIT $5)
    UNION ALL
    (SELECT j.id, j.finished_at FROM {schema}.jobs j
      WHERE j.dedupe_key = $11 AND j.finished_at IS NOT NULL
        AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
        AND ($3::text IS NULL OR j.task = $3) AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
        AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
        AND ($6::uuid IS NULL OR j.id < $6)
      ORDER BY j.id DESC
      LIMIT $5)
    UNION ALL
    (SELECT j.id, j.finished_at FROM {schema}.job_history j
      WHERE j.dedupe_key = $11
        AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
        AND ($3::text IS NULL OR j.task = $3) AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
        AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
        AND ($6::uuid IS NULL OR j.id < $6)
      ORDER BY j.id DESC
      LIMIT $5)
), page AS (
    SELECT id, finished_at FROM found ORDER BY id DESC LIMIT $5
)
SELECT j.id, j.task, j.queue, j.priority, j.status, j.attempts, j.max_attempts, j.timeout,
       j.created_at, j.run_at, j.started_at, j.finished_at, j.last_error, j.dedupe_key,
       j.tags, j.worker_id, j.cancel_requested, j.progress,
       CASE WHEN $7::boolean THEN j.payload END AS payload,
       CASE WHEN $8::boolean THEN j.result END AS result,
       CASE WHEN $9::boolean THEN j.history END AS history
  FROM page CROSS JOIN LATERAL (
        SELECT * FROM {schema}.jobs x WHERE x.id = page.id
        UNION ALL
        SELECT * FROM {schema}.job_history x
         WHERE x.id = page.id AND x.finished_at = page.finished_at) AS j
 ORDER BY j.id DESC;

-- name: list_jobs_by_tag
-- The jobs of one tag, newest first along job_tags (migration 0009) and job_history_tags
-- (0017); the other filters are checked on each. (The check is a subquery with a LIMIT,
-- so it cannot be turned into a join that would walk the jobs instead.)
WITH found AS (
    (SELECT t.job_id AS id, checked.finished_at
       FROM {schema}.job_tags t
      CROSS JOIN LATERAL (
         SELECT j.finished_at FROM {schema}.jobs j
          WHERE j.id = t.job_id
            AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
            AND ($3::text IS NULL OR j.task = $3) AND ($10::uuid IS NULL OR j.id = $10)
            AND ($11::text IS NULL OR j.dedupe_key = $11)
          LIMIT 1) AS checked
      WHERE t.tag = $4 AND ($6::uuid IS NULL OR t.job_id < $6)
      ORDER BY t.job_id DESC
      LIMIT $5)
    UNION ALL
    (SELECT t.job_id AS id, t.finished_at
       FROM {schema}.job_history_tags t
      CROSS JOIN LATERAL (
         SELECT true AS passes FROM {schema}.job_history j
          WHERE j.id = t.job_id AND j.finished_at = t.finished_at
            AND ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.queue = $2)
            AND ($3::text IS NULL OR j.task = $3) AND ($10::uuid IS NULL OR j.id = $10)
            AND ($11::text IS NULL OR j.dedupe_key = $11)
          LIMIT 1) AS checked
      WHERE t.tag = $4 AND ($6::uuid IS NULL OR t.job_id < $6)
      ORDER BY t.job_id DESC
      LIMIT $5)
), page AS (
    SELECT id, finished_at FROM found ORDER BY id DESC LIMIT $5
)
SELECT j.id, j.task, j.queue, j.priority, j.status, j.attempts, j.max_attempts, j.timeout,
       j.created_at, j.run_at, j.started_at, j.finished_at, j.last_error, j.dedupe_key,
       j.tags, j.worker_id, j.cancel_requested, j.progress,
       CASE WHEN $7::boolean THEN j.payload END AS payload,
       CASE WHEN $8::boolean THEN j.result END AS result,
       CASE WHEN $9::boolean THEN j.history END AS history
  FROM page CROSS JOIN LATERAL (
        SELECT * FROM {schema}.jobs x WHERE x.id = page.id
        UNION ALL
        SELECT * FROM {schema}.job_history x
         WHERE x.id = page.id AND x.finished_at = page.finished_at) AS j
 ORDER BY j.id DESC;

-- name: list_jobs_by_kind
-- Filters on status, queue and task: each (queue, task, status) that the counters know
-- of and the filters allow is one range of jobs_finished_by_kind, jobs_waiting_by_kind
-- or job_history_by_kind in id order, read for at most a page; running jobs, at most the
-- fleet's slots, are read whole from their own index (jobs_lease_expiry). A page costs
-- the same however many jobs the history or the backlog holds. (Each read of a range
-- names the predicate of its index, finished_at and status, so that the plan made once
-- for every range can use it; a branch whose status the filter excludes is skipped
-- whole, decided once.)
WITH kinds AS (
    SELECT c.queue, c.task, c.status, c.status IN ('succeeded', 'failed', 'cancelled') AS done
      FROM (SELECT queue, task, status, n FROM {schema}.job_counts
            UNION ALL
            SELECT queue, task, status, n FROM {schema}.job_count_changes) AS c
     WHERE c.status <> 'running'
       AND ($1::text IS NULL OR c.status = $1) AND ($2::text IS NULL OR c.queue = $2)
       AND ($3::text IS NULL OR c.task = $3)
     GROUP BY c.queue, c.task, c.status
    HAVING sum(c.n) > 0
), running AS MATERIALIZED (
    SELECT j.id, j.finished_at FROM {schema}.jobs j
     WHERE j.status = 'running' AND ($1::text IS NULL OR $1::text = 'running')
       AND ($2::text IS NULL OR j.queue = $2) AND ($3::text IS NULL OR j.task = $3)
       AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
       AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
       AND ($6::uuid IS NULL OR j.id < $6)
), found AS (
    SELECT f.id, f.finished_at FROM kinds CROSS JOIN LATERAL (
        SELECT j.id, j.finished_at FROM {schema}.jobs j
         WHERE j.queue = kinds.queue AND j.task = kinds.task AND j.status = kinds.status
           AND j.finished_at IS NOT NULL
           AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
           AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
           AND ($6::uuid IS NULL OR j.id < $6)
         ORDER BY j.id DESC
         LIMIT $5) AS f
     WHERE kinds.done
    UNION ALL
    SELECT f.id, f.finished_at FROM kinds CROSS JOIN LATERAL (
        SELECT j.id, j.finished_at FROM {schema}.job_history j
         WHERE j.queue = kinds.queue AND j.task = kinds.task AND j.status = kinds.status
           AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
           AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
           AND ($6::uuid IS NULL OR j.id < $6)
         ORDER BY j.id DESC
         LIMIT $5) AS f
     WHERE kinds.done
    UNION ALL
    SELECT f.id, f.finished_at FROM kinds CROSS JOIN LATERAL (
        SELECT j.id, j.finished_at FROM {schema}.jobs j
         WHERE j.queue = kinds.queue AND j.task = kinds.task AND j.status = kinds.status
           AND j.finished_at IS NULL AND j.status <> 'running'
           AND ($4::text IS NULL OR j.tags @> ARRAY[$4::text])
           AND ($10::uuid IS NULL OR j.id = $10) AND ($11::text IS NULL OR j.dedupe_key = $11)
           AND ($6::uuid IS NULL OR j.id < $6)
         ORDER BY j.id DESC
         LIMIT $5) AS f
     WHERE NOT kinds.done
    UNION ALL
    SELECT id, finished_at FROM running
), page AS (
    SELECT id, finished_at FROM found ORDER BY id DESC LIMIT $5
)
SELECT j.id, j.task, j.queue, j.priority, j.status, j.attempts, j.max_attempts, j.timeout,
       j.created_at, j.run_at, j.started_at, j.finished_at, j.last_error, j.dedupe_key,
       j.tags, j.worker_id, j.cancel_requested, j.progress,
       CASE WHEN $7::boolean THEN j.payload END AS payload,
       CASE WHEN $8::boolean THEN j.result END AS result,
       CASE WHEN $9::boolean THEN j.history END AS history
  FROM page CROSS JOIN LATERAL (
        SELECT * FROM {schema}.jobs x WHERE x.id = page.id
        UNION ALL
        SELECT * FROM {schema}.job_history x
         WHERE x.id = page.id AND x.finished_at = page.finished_at) AS j
 ORDER BY j.id DESC;
