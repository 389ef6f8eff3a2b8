-- Direct hand-off: a job enqueued while a worker sits idle goes straight to that worker.
--
-- The usual path is three steps on three connections: the enqueue commits and notifies,
-- the worker wakes and sends a claim, and the claim commits. Each commit waits for its
-- WAL flush, and on an idle machine each step also waits for a process to wake up. A
-- worker with a free slot and nothing to claim therefore opens an offer here; a single
-- enqueue that finds an open offer for its queue writes the job already claimed by that
-- worker (status running, attempt counted, a lease and a fresh token, as a claim would)
-- and notifies the worker in the same transaction (ids only: the worker reads the job
-- from the table): one commit instead of two, and no claim round trip.
--
-- An offer is good only while the backend of the worker's LISTEN connection lives: a
-- worker that dies or loses that connection cannot hear the hand-off, and PostgreSQL
-- ends the backend of a closed connection at once, so enqueues stop choosing it. An
-- idle worker renews its offer with every poll; one not renewed in time (a worker cut
-- off from the database, whose backend may live on for a long while) is passed over.
-- Each opening takes one job at most, so even then one job at most waits for its lease
-- to expire. A hand-off whose notification is lost is found by the worker's next claim
-- statement (the offer row keeps the handed job).
CREATE TABLE {schema}.idle_workers (
    worker_id     text PRIMARY KEY,
    queues        text[],            -- NULL: every queue
    lease_seconds double precision NOT NULL,
    listener_pid  integer NOT NULL,  -- backend of the worker's LISTEN connection
    generation    bigint NOT NULL,   -- which opening of the offer, named in the hand-off
    open_until    timestamptz NOT NULL,  -- renewed by each poll of the idle worker
    open          boolean NOT NULL,  -- waiting for a job
    handed_job    uuid               -- the job handed over since this opening, if any
);

-- The job handed over through an offer, as the worker's claim statement needs it. The
-- claim locks the offer row first, which may mean waiting for a hand-off to commit; the
-- statement's own snapshot predates that commit and would not see the job, so it is read
-- here: a VOLATILE function takes a fresh snapshot for each query it runs (and one in
-- PL/pgSQL keeps its plan, where a SQL function would be planned at every call).
CREATE FUNCTION {schema}.handed_over(job uuid, worker text) RETURNS SETOF {schema}.jobs
LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
BEGIN
    RETURN QUERY SELECT * FROM {schema}.jobs j
                  WHERE j.id = job AND j.status = 'running' AND j.worker_id = worker;
END
$$;
