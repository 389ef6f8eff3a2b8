-- Chains and chords (docs/chains.md): jobs enqueued by the outcome of others, in the
-- transaction that records that outcome.
-- {schema} is replaced by the quoted schema name.
--
-- A job's follow-ups (its on_success and on_failure job specs, resolved and checked at
-- enqueue) are enqueued by a row trigger on the jobs table, so every statement that ends
-- a job (a worker's batch of successes or failures, a completion in the task's own
-- transaction, an HTTP worker's report, the rescue of an expired lease) enqueues them in
-- its own transaction: a fenced-out report changes no row and enqueues nothing, and a
-- rollback takes the follow-up with it. Jobs without links fail the trigger's WHEN at
-- once, with no function call.

-- All three NULL for a job without links (no rewrite of the table, no cost per row).
ALTER TABLE {schema}.jobs
    ADD COLUMN follow_ups jsonb,  -- {"on_success": spec, "on_failure": spec}
    ADD COLUMN chord_id uuid,     -- the chord this job is a member (or the callback) of
    ADD COLUMN parent_id uuid;    -- the job whose outcome enqueued this one

-- A group of jobs with a callback. `remaining` counts the members not yet finished; the
-- completion that takes it to 0 enqueues the callback. Decrements take the row's lock,
-- so at READ COMMITTED they queue up one behind the other, each on the value the one
-- before it committed: exactly one of them sees 0, however many finish at once.
CREATE TABLE {schema}.chords (
    id              uuid PRIMARY KEY,
    callback        jsonb NOT NULL,
    members         uuid[] NOT NULL,  -- in the order given, for the callback's payload
    remaining       integer NOT NULL,
    callback_job_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CONSTRAINT chords_remaining_range CHECK (remaining >= 0)
);

-- One row per member not yet counted: a member is counted once, when its row goes, even
-- if it is retried by hand and finishes again.
CREATE TABLE {schema}.chord_members (
    job_id   uuid PRIMARY KEY,
    chord_id uuid NOT NULL
);

-- A time-ordered id (version 7), as equeue.job.ids makes them: pages list jobs by id.
CREATE FUNCTION {schema}.uuid7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(
                        floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- Enqueue one job from a spec (see equeue.chains), with this payload; returns its id.
CREATE FUNCTION {schema}.enqueue_spec(spec jsonb, payload jsonb, parent uuid, chord uuid)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    new_id uuid := {schema}.uuid7();
    delay float8 := coalesce((spec->>'delay')::float8, 0);
BEGIN
    INSERT INTO {schema}.jobs
        (id, task, queue, payload, priority, status, max_attempts, timeout, run_at, tags,
         follow_ups, chord_id, parent_id)
    VALUES (new_id, spec->>'task', spec->>'queue', payload, (spec->>'priority')::smallint,
            CASE WHEN delay > 0 THEN 'scheduled' ELSE 'queued' END,
            (spec->>'max_attempts')::integer, (spec->>'timeout')::float8,
            now() + make_interval(secs => delay),
            ARRAY(SELECT jsonb_array_elements_text(coalesce(spec->'tags', '[]'))),
            nullif(jsonb_strip_nulls(jsonb_build_object(
                'on_success', spec->'on_success', 'on_failure', spec->'on_failure')), '{}'),
            chord, parent);
    RETURN new_id;
END
$$;

-- The outcomes of a chord's members, in the order given; a member deleted unfinished
-- reads as 'deleted'. (Migration 0017 makes it read archived members too. Volatile, so
-- it reads with a snapshot of its own, taken when it is called.)
CREATE FUNCTION {schema}.chord_outcomes(members uuid[]) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_agg(jsonb_build_object(
               'id', m.id, 'status', coalesce(j.status, 'deleted'), 'result', j.result,
               'error', j.last_error) ORDER BY m.n)
      FROM unnest(members) WITH ORDINALITY AS m(id, n)
      LEFT JOIN {schema}.jobs j ON j.id = m.id
$$;

-- A member of a chord finished (or was deleted unfinished): count it, once; the last one
-- counted enqueues the callback, its payload given the members' outcomes in order.
CREATE FUNCTION {schema}.chord_member_done(member uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    chord {schema}.chords;
    outcomes jsonb;
BEGIN
    DELETE FROM {schema}.chord_members WHERE job_id = member RETURNING chord_id INTO chord.id;
    IF chord.id IS NULL THEN
        RETURN;  -- counted before, or the chord's callback itself
    END IF;
    UPDATE {schema}.chords c SET remaining = c.remaining - 1
     WHERE c.id = chord.id
    RETURNING * INTO chord;
    IF chord.remaining IS DISTINCT FROM 0 THEN
        RETURN;  -- others to wait for (or the chord row is gone)
    END IF;
    -- The lock on the chord's row is held: every other member's transaction committed
    -- before this statement's snapshot, so their outcomes are all here.
    outcomes := {schema}.chord_outcomes(chord.members);
    UPDATE {schema}.chords
       SET finished_at = now(),
           callback_job_id = {schema}.enqueue_spec(
               chord.callback,
               coalesce(chord.callback->'payload', '{}')
                   || jsonb_build_object('chord', jsonb_build_object(
                          'id', chord.id, 'members', outcomes)),
               NULL, chord.id)
     WHERE id = chord.id;
END
$$;

CREATE FUNCTION {schema}.linked_job_finished() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spec jsonb := NEW.follow_ups -> (CASE NEW.status WHEN 'succeeded' THEN 'on_success'
                                                     WHEN 'failed' THEN 'on_failure' END);
BEGIN
    IF spec IS NOT NULL THEN
        PERFORM {schema}.enqueue_spec(
            spec,
            coalesce(spec->'payload', '{}') || jsonb_build_object('parent', jsonb_build_object(
                'id', NEW.id, 'task', NEW.task, 'status', NEW.status, 'result', NEW.result,
                'error', NEW.last_error)),
            NEW.id, NULL);
    END IF;
    IF NEW.chord_id IS NOT NULL THEN
        PERFORM {schema}.chord_member_done(NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.linked_job_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM {schema}.chord_member_done(OLD.id);
    RETURN NULL;
END
$$;

-- OF finished_at: every statement that ends a job sets it, and a claim (the other
-- frequent update) does not, so claims skip the trigger altogether.
CREATE TRIGGER jobs_linked_finished AFTER UPDATE OF finished_at ON {schema}.jobs
    FOR EACH ROW
    WHEN ((NEW.follow_ups IS NOT NULL OR NEW.chord_id IS NOT NULL)
          AND OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL)
    EXECUTE FUNCTION {schema}.linked_job_finished();

-- A member deleted before it finished would otherwise hold its chord open for ever.
CREATE TRIGGER jobs_linked_deleted AFTER DELETE ON {schema}.jobs
    FOR EACH ROW WHEN (OLD.chord_id IS NOT NULL AND OLD.finished_at IS NULL)
    EXECUTE FUNCTION {schema}.linked_job_deleted();
