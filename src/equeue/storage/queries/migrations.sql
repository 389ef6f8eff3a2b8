-- The migration runner's own statements.

-- name: migration_lock
SELECT pg_advisory_lock(hashtext('equeue'), hashtext($1));

-- name: migration_unlock
SELECT pg_advisory_unlock(hashtext('equeue'), hashtext($1));

-- name: create_schema
CREATE SCHEMA IF NOT EXISTS {schema};

-- name: create_migrations_table
CREATE TABLE IF NOT EXISTS {schema}.migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: add_migrations_breaks_older
-- Whether a migration breaks the code of the releases before it (its file says so): a
-- worker of such a release refuses to start on the schema (see migrations.check).
ALTER TABLE {schema}.migrations ADD COLUMN IF NOT EXISTS breaks_older boolean NOT NULL DEFAULT false;

-- name: applied_migrations
SELECT version FROM {schema}.migrations ORDER BY version;

-- name: applied_migrations_detail
-- Every applied migration; breaks_older read through to_jsonb, so that a schema whose
-- runner never added the column reads as false instead of failing.
SELECT m.version, m.name, coalesce((to_jsonb(m) ->> 'breaks_older')::boolean, false) AS breaks_older
  FROM {schema}.migrations m
 ORDER BY m.version;

-- name: record_migration
INSERT INTO {schema}.migrations (version, name, breaks_older) VALUES ($1, $2, $3);

-- name: migrations_table_exists
SELECT to_regclass('{schema}.migrations') IS NOT NULL;
