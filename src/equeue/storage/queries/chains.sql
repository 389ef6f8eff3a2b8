-- Chains and chords (migration 0015): the links written at enqueue, and chords read back.
-- What the links do when a job ends is the migration's triggers.

-- name: link_jobs
-- Give jobs just inserted (in the same transaction, so still waiting: no worker sees them
-- before it commits) their follow-ups ($2, JSON or NULL) and chord ($3 or NULL). Status
-- and finished_at are not set: the finishing trigger does not fire.
UPDATE {schema}.jobs j
   SET follow_ups = l.follow_ups::jsonb, chord_id = l.chord_id
  FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS l(id, follow_ups, chord_id)
 WHERE j.id = l.id AND j.status IN ('scheduled', 'queued');

-- name: insert_chord
-- A chord ($1) waiting for its members ($3, in order) to finish, then enqueueing the
-- callback spec $2.
WITH chord AS (
    INSERT INTO {schema}.chords (id, callback, members, remaining)
    VALUES ($1, $2::jsonb, $3::uuid[], cardinality($3::uuid[]))
    RETURNING created_at
), counted AS (
    INSERT INTO {schema}.chord_members (job_id, chord_id)
    SELECT m.id, $1 FROM unnest($3::uuid[]) AS m(id)
)
SELECT created_at FROM chord;

-- name: get_chord
SELECT id, callback::text AS callback, remaining, callback_job_id, created_at, finished_at
  FROM {schema}.chords WHERE id = $1;

-- name: chord_members
-- The members of chord $1 in the order given, each with where it is now (archived or
-- not); a member deleted since has no task and no status.
SELECT m.id, j.task, j.status, j.result::text AS result, j.last_error
  FROM {schema}.chords c
 CROSS JOIN LATERAL unnest(c.members) WITH ORDINALITY AS m(id, n)
  LEFT JOIN {schema}.any_jobs j ON j.id = m.id
 WHERE c.id = $1
 ORDER BY m.n;
