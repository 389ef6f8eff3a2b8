-- The workers view shows why a worker claims less than its free slots: threads still
-- running plain (non-async) task functions whose jobs timed out or were cancelled
-- (Python cannot stop a thread), and whether there are so many that the worker claims
-- only its async tasks' jobs for now.
ALTER TABLE {schema}.workers
    ADD COLUMN abandoned_threads integer NOT NULL DEFAULT 0,
    ADD COLUMN sync_claims_paused boolean NOT NULL DEFAULT false;
