-- Fleet-wide limits of queues (migration 0014): how many of a queue's jobs run at once,
-- how many start per second, how many of one group run at once.

-- name: set_queue_limits
-- Set the limits of queue $1 to exactly these (NULL: none): $2 running at once, $3 jobs
-- started per second with a bucket of $4 tokens (a tenth of a second's worth, at least
-- one, when NULL), $5 running at once per group. A new rate or burst starts with a full
-- bucket; an unchanged one keeps its tokens.
INSERT INTO {schema}.queues AS q
       (name, max_running, rate, burst, group_concurrency, tokens, refilled_at)
VALUES ($1, $2::integer, $3::float8, $4::float8, $5::integer,
        coalesce($4::float8, greatest(1, $3::float8 / 10), 0), now())
ON CONFLICT (name) DO UPDATE
   SET max_running = excluded.max_running, rate = excluded.rate, burst = excluded.burst,
       group_concurrency = excluded.group_concurrency, updated_at = now(),
       tokens = CASE WHEN q.rate IS NOT DISTINCT FROM excluded.rate
                      AND q.burst IS NOT DISTINCT FROM excluded.burst
                     THEN q.tokens ELSE excluded.tokens END,
       refilled_at = CASE WHEN q.rate IS NOT DISTINCT FROM excluded.rate
                           AND q.burst IS NOT DISTINCT FROM excluded.burst
                          THEN q.refilled_at ELSE now() END
RETURNING name, max_running, rate, burst, group_concurrency;

-- name: list_queue_limits
-- Every queue that has a limit.
SELECT name, max_running, rate, burst, group_concurrency
  FROM {schema}.queues WHERE limited ORDER BY name;

-- name: limited_queue_names
-- The queues whose jobs only claim_limited_jobs takes (the others' claim skips them).
SELECT name FROM {schema}.queues WHERE limited AND NOT paused;

-- name: lock_queue_limits
-- First statement of a limited claim's transaction: lock the rows of the limited queues
-- among $1 (all when NULL), in name order so that two claims never wait on each other in
-- a circle. Claims of a queue then run one at a time, and claim_limited_jobs, a statement
-- of its own, takes a snapshot after the lock: it sees every job the claim before it
-- started (within one statement it would not: a snapshot is taken before the lock waits).
-- Returns each bucket as it stands, for the caller to know when a token comes next.
SELECT q.name, q.rate, coalesce(q.burst, greatest(1, q.rate / 10)) AS capacity, q.tokens,
       greatest(0, extract(epoch FROM statement_timestamp() - q.refilled_at))::float8 AS since
  FROM {schema}.queues q
 WHERE q.limited AND NOT q.paused AND ($1::text[] IS NULL OR q.name = ANY($1::text[]))
 ORDER BY q.name
   FOR UPDATE;

-- name: claim_limited_jobs
-- Claim up to $2 runnable jobs of the limited queues $1 (locked by lock_queue_limits) for
-- worker $3, under leases of $4 seconds, leaving the tasks $5 (or NULL) alone. Each queue
-- gives at most its room: max_running less its running jobs, and the whole tokens of its
-- bucket; each group at most group_concurrency less its running jobs. A group that is
-- full is passed over by the scan, not stopped at, so one group's backlog never holds up
-- the others. Times are the statement's, taken after the lock: they follow the order in
-- which claims of a queue ran, as the bucket does.
WITH lim AS (
    SELECT q.name, q.max_running, q.group_concurrency,
           CASE WHEN q.rate IS NOT NULL THEN
               least(coalesce(q.burst, greatest(1, q.rate / 10)),
                     q.tokens + q.rate * greatest(0, extract(epoch FROM
                                                   statement_timestamp() - q.refilled_at)))
           END AS tokens
      FROM {schema}.queues q
     WHERE q.name = ANY($1::text[]) AND q.limited AND NOT q.paused
), running AS (
    SELECT r.queue, count(*) AS n FROM {schema}.jobs r
     WHERE r.status = 'running' AND r.queue = ANY($1::text[])
     GROUP BY r.queue
), groups AS (
    SELECT r.queue, r.group_key, count(*) AS n FROM {schema}.jobs r
     WHERE r.status = 'running' AND r.group_key IS NOT NULL
       AND r.queue IN (SELECT l.name FROM lim l WHERE l.group_concurrency IS NOT NULL)
     GROUP BY r.queue, r.group_key
), room AS (
    SELECT lim.*,
           least($2::integer,
                 coalesce(lim.max_running - coalesce(running.n, 0), $2::integer),
                 coalesce(floor(lim.tokens)::integer, $2::integer)) AS room
      FROM lim LEFT JOIN running ON running.queue = lim.name
), scan AS (
    SELECT s.* FROM room CROSS JOIN LATERAL (
        SELECT j.id, j.queue, j.group_key, j.priority, j.run_at, j.suspect
          FROM {schema}.jobs j
         WHERE j.queue = room.name
           AND j.status IN ('scheduled', 'queued', 'retrying')
           AND j.run_at <= statement_timestamp()
           AND ($5::text[] IS NULL OR j.task <> ALL($5::text[]))
           AND (j.group_key IS NULL OR room.group_concurrency IS NULL
                OR j.group_key NOT IN (SELECT g.group_key FROM groups g
                                        WHERE g.queue = room.name
                                          AND g.n >= room.group_concurrency))
         ORDER BY j.priority DESC, j.run_at, j.id
         -- Beyond the room: a group with less room than jobs in the scan gives up the
         -- rest of its jobs below, and the next groups' jobs take their places.
         LIMIT room.room * 4
    ) AS s
     WHERE room.room > 0
), ranked AS (
    SELECT s.*,
           row_number() OVER (PARTITION BY s.queue, s.group_key
                              ORDER BY s.priority DESC, s.run_at, s.id) AS nth_of_group,
           row_number() OVER (PARTITION BY s.suspect
                              ORDER BY s.priority DESC, s.run_at, s.id) AS nth_suspect
      FROM scan s
), allowed AS (
    SELECT r.id, r.queue, r.priority, r.run_at,
           row_number() OVER (PARTITION BY r.queue
                              ORDER BY r.priority DESC, r.run_at, r.id) AS nth_of_queue
      FROM ranked r
      JOIN room ON room.name = r.queue
      LEFT JOIN groups g ON g.queue = r.queue AND g.group_key = r.group_key
     WHERE (r.group_key IS NULL OR room.group_concurrency IS NULL
            OR r.nth_of_group <= room.group_concurrency - coalesce(g.n, 0))
       -- One suspect at most, and only to a worker holding none (see claim_jobs).
       AND (NOT r.suspect OR (r.nth_suspect = 1 AND NOT EXISTS (
                SELECT 1 FROM {schema}.jobs h
                 WHERE h.suspect AND h.status = 'running' AND h.worker_id = $3)))
), kept AS (
    SELECT a.id FROM allowed a JOIN room ON room.name = a.queue
     WHERE a.nth_of_queue <= room.room
     ORDER BY a.priority DESC, a.run_at, a.id
     LIMIT $2
), claimed AS (
    UPDATE {schema}.jobs j
       SET status = 'running', attempts = j.attempts + 1, worker_id = $3,
           lease_token = gen_random_uuid(),
           lease_expires_at = statement_timestamp() + make_interval(secs => $4),
           started_at = statement_timestamp()
      FROM kept
     WHERE j.id = kept.id AND j.status IN ('scheduled', 'queued', 'retrying')
    RETURNING j.id, j.task, j.queue, j.payload::text AS payload, j.priority, j.attempts,
              j.max_attempts, j.timeout, j.lease_token,
              extract(epoch FROM statement_timestamp() - j.run_at)::float8 AS waited
), spent AS (
    UPDATE {schema}.queues q
       SET tokens = room.tokens - (SELECT count(*) FROM claimed c WHERE c.queue = q.name),
           refilled_at = statement_timestamp()
      FROM room
     WHERE q.name = room.name AND room.tokens IS NOT NULL
)
SELECT * FROM claimed;
