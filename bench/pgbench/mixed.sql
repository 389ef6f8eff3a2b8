-- Enqueue 100, claim 100, acknowledge them: a queue that keeps up with its producers.
INSERT INTO ceiling_jobs (payload) SELECT '{}' FROM generate_series(1, 100);
UPDATE ceiling_jobs SET status = 'running', worker = :client_id
 WHERE id IN (SELECT id FROM ceiling_jobs WHERE status = 'queued'
               ORDER BY run_at, id LIMIT 100 FOR UPDATE SKIP LOCKED);
UPDATE ceiling_jobs SET status = 'done' WHERE status = 'running' AND worker = :client_id;
