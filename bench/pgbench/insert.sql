-- Enqueue: 100 jobs per transaction.
INSERT INTO ceiling_jobs (payload) SELECT '{}' FROM generate_series(1, 100);
