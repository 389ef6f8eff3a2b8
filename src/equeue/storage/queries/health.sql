-- The health of the schema's tables, as PostgreSQL's catalogs and statistics tell it:
-- cheap reads (file sizes and counters kept by the server), never a scan of a table.

-- name: table_health
-- Each table of the schema (a partitioned one once, summed over its partitions, which are
-- counted): sizes in bytes, live and dead rows as the statistics estimate them, the last
-- vacuum and analyze (of any of its partitions). (The statistics functions, not the
-- pg_stat_user_tables view, which computes them for every table of the database first.)
SELECT c.relname AS name, s.total_bytes, s.index_bytes, s.live_rows, s.dead_rows,
       s.last_vacuum, s.last_analyze,
       (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid) AS partitions
  FROM pg_class c
 CROSS JOIN LATERAL (
    SELECT sum(pg_total_relation_size(r.oid))::bigint AS total_bytes,
           sum(pg_indexes_size(r.oid))::bigint AS index_bytes,
           sum(pg_stat_get_live_tuples(r.oid))::bigint AS live_rows,
           sum(pg_stat_get_dead_tuples(r.oid))::bigint AS dead_rows,
           max(greatest(pg_stat_get_last_vacuum_time(r.oid),
                        pg_stat_get_last_autovacuum_time(r.oid))) AS last_vacuum,
           max(greatest(pg_stat_get_last_analyze_time(r.oid),
                        pg_stat_get_last_autoanalyze_time(r.oid))) AS last_analyze
      FROM (SELECT c.oid
            UNION ALL
            SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = c.oid) AS r(oid)) AS s
 WHERE c.oid IN (SELECT d.objid FROM pg_depend d  -- found through pg_depend's index:
                  WHERE d.refclassid = 'pg_namespace'::regclass  -- pg_class has none on
                    AND d.refobjid = '{schema}'::regnamespace    -- the schema
                    AND d.classid = 'pg_class'::regclass)
   AND c.relnamespace = '{schema}'::regnamespace
   AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY c.relname;

-- name: table_partitions
-- The partitions of the schema's partitioned tables, with their bounds and sizes.
SELECT p.relname AS parent, c.relname AS name,
       pg_get_expr(c.relpartbound, c.oid) AS bound,
       pg_total_relation_size(c.oid) AS total_bytes
  FROM pg_inherits i
  JOIN pg_class p ON p.oid = i.inhparent
  JOIN pg_class c ON c.oid = i.inhrelid
 WHERE p.relnamespace = '{schema}'::regnamespace
 ORDER BY p.relname, c.relname;

-- name: vacuum_horizon
-- What keeps vacuum from removing dead rows: the oldest snapshot held by a session of
-- this database (its age in transactions, and how long its transaction has been open),
-- the oldest replication slot and the oldest prepared transaction. Sessions of other
-- roles show their snapshot only to a role with pg_read_all_stats (or pg_monitor).
WITH oldest AS (
    SELECT a.pid, a.application_name, a.state, age(a.backend_xmin) AS xmin_age,
           extract(epoch FROM now() - a.xact_start)::double precision AS seconds
      FROM pg_stat_activity a
     WHERE a.backend_xmin IS NOT NULL AND a.pid <> pg_backend_pid()
       AND (a.datname = current_database() OR a.backend_type = 'walsender')
     ORDER BY age(a.backend_xmin) DESC
     LIMIT 1
)
SELECT (SELECT xmin_age FROM oldest) AS session_xmin_age,
       (SELECT seconds FROM oldest) AS session_seconds,
       (SELECT pid FROM oldest) AS session_pid,
       (SELECT application_name FROM oldest) AS session_application,
       (SELECT state FROM oldest) AS session_state,
       (SELECT max(greatest(age(s.xmin), age(s.catalog_xmin))) FROM pg_replication_slots s
         WHERE s.database IS NULL OR s.database = current_database()) AS slot_xmin_age,
       (SELECT max(age(p.transaction)) FROM pg_prepared_xacts p
         WHERE p.database = current_database()) AS prepared_xmin_age,
       (SELECT extract(epoch FROM now() - min(p.prepared))::double precision
          FROM pg_prepared_xacts p WHERE p.database = current_database()) AS prepared_seconds;
