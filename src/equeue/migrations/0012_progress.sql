-- Progress a running task reports (equeue.progress): the latest value only, as
-- {"fraction": 0..1, "message": text or null, "at": time, "attempt": n}. One jsonb column
-- rather than three, so that every statement reading jobs names one more column only.
-- Adding a nullable column without a default rewrites nothing: it is instant on any
-- table size. Each report is a fenced UPDATE of this column only; no index covers it, so
-- the update stays on its page (HOT) and touches no index.
ALTER TABLE {schema}.jobs ADD COLUMN progress jsonb;
