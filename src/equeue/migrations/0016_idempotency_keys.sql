-- Idempotency keys of enqueue requests (the API's Idempotency-Key header, or
-- Queue.enqueue(idempotency_key=)). A key names the one job its first request created,
-- for as long as the key is kept (the jobs' retention), whatever became of that job
-- since: a client that lost the answer repeats the request and gets the same job back,
-- finished or not. The request's fingerprint tells a repeat from a different request
-- that reuses the key by mistake. A table of its own, so the jobs table and its writes
-- carry nothing for the jobs enqueued without a key.
CREATE TABLE {schema}.idempotency_keys (
    key         text PRIMARY KEY,
    job_id      uuid NOT NULL,
    fingerprint text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Pruning, oldest first.
CREATE INDEX idempotency_keys_created_at ON {schema}.idempotency_keys (created_at);
