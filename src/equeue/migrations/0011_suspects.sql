-- Poison isolation: a worker that dies takes down every job it held, yet only one of
-- them (at most) killed it. Which one, nothing can tell after the fact: a process that
-- calls os._exit, segfaults or is OOM-killed leaves no word. So blame is settled by
-- isolation instead of by guessing:
--
-- - a job's first lost lease is not counted against it (rescue gives the attempt back)
--   and makes it a suspect, for good;
-- - a worker holds at most one suspect at a time (the claim statement sees to it);
-- - a suspect's lost lease is counted.
--
-- When a worker dies, the jobs it held that were not suspects get their attempt back,
-- and the one suspect it may have held is charged. A job that kills its worker every
-- time is a suspect from its first death on, alone among suspects on each worker it
-- runs on, and runs out of attempts after max_attempts more deaths. An innocent job is
-- charged for another's crash only while it is its worker's suspect and the crash is
-- the first of a job not yet suspected (or the whole worker is killed from outside).
ALTER TABLE {schema}.jobs ADD COLUMN suspect boolean NOT NULL DEFAULT false;

-- The claim statement's second scan: waiting suspects, in claim order. Small: only jobs
-- that lost a lease and have not run since.
CREATE INDEX jobs_claimable_suspects ON {schema}.jobs (priority DESC, run_at, id)
    WHERE suspect AND status IN ('scheduled', 'queued', 'retrying');
-- Whether a worker holds a suspect already.
CREATE INDEX jobs_running_suspects ON {schema}.jobs (worker_id)
    WHERE suspect AND status = 'running';
