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

-- name: applied_migrations
SELECT version FROM {schema}.migrations ORDER BY version;

-- name: record_migration
INSERT INTO {schema}.migrations (version, name) VALUES ($1, $2);

-- name: migrations_table_exists
SELECT to_regclass('{schema}.migrations') IS NOT NULL;
