-- Statements of connections through a pooler in transaction mode (see storage/pool.py).

-- name: claim_planner_settings
-- What the pool's connections are given at connection time when they reach PostgreSQL
-- directly, for one claim's transaction: walk the claim index in order, never a bitmap
-- scan of the whole backlog.
SET LOCAL enable_bitmapscan = off
