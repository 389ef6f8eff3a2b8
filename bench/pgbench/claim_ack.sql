-- Claim 100 waiting jobs, then acknowledge them: two statements, two transactions.
UPDATE ceiling_jobs SET status = 'running', worker = :client_id
 WHERE id IN (SELECT id FROM ceiling_jobs WHERE status = 'queued'
               ORDER BY run_at, id LIMIT 100 FOR UPDATE SKIP LOCKED);
UPDATE ceiling_jobs SET status = 'done' WHERE status = 'running' AND worker = :client_id;
