-- The audit trail (migration 0010): operator actions, who did them and from where.

-- name: insert_audit_record
-- A key's name is looked up here when the caller knows only its id.
INSERT INTO {schema}.audit_log
    (id, actor, actor_name, source, action, job_ids, target, affected)
VALUES ($1, $2,
        coalesce($3, (SELECT k.name FROM {schema}.api_keys k WHERE k.id = $2)),
        $4, $5, $6::uuid[], $7::jsonb, $8);

-- name: list_audit_records
-- Newest first, keyset paginated by id (time-ordered): $6 is the last id seen, $5 the
-- page's size. Filters, each left out when NULL: $1 actor, $2 action, $3 since and $4
-- until (both inclusive).
SELECT id, at, actor, actor_name, source, action, job_ids, target::text AS target, affected
  FROM {schema}.audit_log
 WHERE ($1::text IS NULL OR actor = $1)
   AND ($2::text IS NULL OR action = $2)
   AND ($3::timestamptz IS NULL OR at >= $3)
   AND ($4::timestamptz IS NULL OR at <= $4)
   AND ($6::uuid IS NULL OR id < $6)
 ORDER BY id DESC
 LIMIT $5;
