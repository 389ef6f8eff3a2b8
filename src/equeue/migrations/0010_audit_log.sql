-- The audit trail: one row per operator action through the API or the command line
-- (equeue/audit.py names them), written once the action has succeeded, so a refused
-- request leaves none. Kept as long as finished jobs (retention_seconds), then pruned by
-- the maintenance duties. Actions are plain text, not checked here: a new kind of action
-- needs no migration.
CREATE TABLE {schema}.audit_log (
    id          uuid PRIMARY KEY,   -- time-ordered (version 7): newest first by id
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,      -- the API key's id, or 'cli'
    actor_name  text,               -- the key's name, or the command line's OS user
    source      text NOT NULL,      -- the client's address, or 'cli:<user>@<host>'
    action      text NOT NULL,      -- e.g. 'job.retry', 'queue.pause', 'key.create'
    job_ids     uuid[] NOT NULL DEFAULT '{}',
    target      jsonb NOT NULL DEFAULT '{}',  -- a bulk action's filter, a queue, a key
    affected    bigint              -- how many jobs a bulk action changed
);

-- Retention pruning walks the oldest rows.
CREATE INDEX audit_log_at ON {schema}.audit_log (at);
