-- Idempotency keys of enqueue requests (migration 0016).

-- name: take_idempotency_key
-- Take a key for a job about to be written ($1 key, $2 job id, $3 fingerprint), in the
-- enqueue's transaction. Another transaction taking the same key waits here until this
-- one ends: then it finds the key taken (and reads it) or free (this one rolled back).
-- Returns no row when the key was taken already.
INSERT INTO {schema}.idempotency_keys (key, job_id, fingerprint)
VALUES ($1, $2, $3)
ON CONFLICT (key) DO NOTHING
RETURNING key;

-- name: get_idempotency_key
SELECT job_id, fingerprint, created_at FROM {schema}.idempotency_keys WHERE key = $1;

-- name: point_idempotency_key
-- The key's request was deduplicated to the unfinished job holding its dedupe key: the
-- key names that job.
UPDATE {schema}.idempotency_keys SET job_id = $2 WHERE key = $1;

-- name: prune_idempotency_keys
-- Delete up to $2 keys taken more than $1 seconds ago (the jobs' retention), oldest
-- first; returns how many.
WITH old AS (
    SELECT key FROM {schema}.idempotency_keys
     WHERE created_at < now() - make_interval(secs => $1)
     ORDER BY created_at
     LIMIT $2
), deleted AS (
    DELETE FROM {schema}.idempotency_keys k USING old WHERE k.key = old.key
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
