-- Finished jobs leave the hot table. jobs keeps what may still run (and a finished job
-- for a few seconds, see the archive duty); job_history keeps the finished ones,
-- partitioned by day of finish, so retention drops whole partitions instead of deleting
-- rows one by one, and vacuum of jobs stays cheap however long the history is kept.
--
-- job_history takes every column jobs has when this migration runs, in the same order
-- (LIKE), so a job moves with INSERT ... SELECT * and the reads over both tables are a
-- UNION ALL. A later migration that adds a column to jobs adds it to job_history too, in
-- the same place, and recreates any_jobs (tests/integration/test_history.py compares).
--
-- {schema} is replaced by the quoted schema name.

CREATE TABLE {schema}.job_history (LIKE {schema}.jobs INCLUDING DEFAULTS)
    PARTITION BY RANGE (finished_at);
ALTER TABLE {schema}.job_history ADD CONSTRAINT job_history_finished
    CHECK (status IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NOT NULL);

-- Indexes, on every partition. No primary key: a unique index on a partitioned table must
-- hold the partition key, and ids are unique by construction (a job is in one table).
-- By id: the API's job look-up and the final fetch of every page. A hash index: it finds
-- an id and gives no order, so no page is ever read by walking a partition in id order
-- and filtering (the planner would, for a filter it guesses common, and read the whole
-- partition when it is rare); pages go along job_history_by_kind instead.
CREATE INDEX job_history_id ON {schema}.job_history USING hash (id);
-- Pages, newest first: each (queue, task, status) is one range in id order (as
-- jobs_finished_by_kind on jobs).
CREATE INDEX job_history_by_kind ON {schema}.job_history (queue, task, status, id);
-- Dead letters: replay takes the oldest failures first.
CREATE INDEX job_history_failed ON {schema}.job_history (finished_at, id)
    WHERE status = 'failed';
-- Outcomes of the last minutes by queue (queue statistics, polled): a range of the
-- newest partition, read from the index alone.
CREATE INDEX job_history_recent ON {schema}.job_history (finished_at, queue, status);
-- The jobs that held a dedupe key.
CREATE INDEX job_history_dedupe_key ON {schema}.job_history (dedupe_key, id)
    WHERE dedupe_key IS NOT NULL;

-- Tags of archived jobs, partitioned like job_history (job_tags holds those of jobs),
-- so a partition's tags are dropped with it. Each table's triggers keep its own tags:
-- a move adds the tags on one side and removes them on the other, in any order.
CREATE TABLE {schema}.job_history_tags (
    tag         text NOT NULL,
    job_id      uuid NOT NULL,
    finished_at timestamptz NOT NULL,
    PRIMARY KEY (tag, job_id, finished_at)
) PARTITION BY RANGE (finished_at);

-- A row that no daily partition takes (a clock far off, a day whose partition could not
-- be made) lands here rather than failing the move; retention deletes its rows by age.
CREATE TABLE {schema}.job_history_default PARTITION OF {schema}.job_history DEFAULT;
CREATE TABLE {schema}.job_history_tags_default
    PARTITION OF {schema}.job_history_tags DEFAULT;

-- Every job, wherever it is: for look-ups of a few ids. (Pages read each table on its own
-- index and merge; see queries/reads.sql.)
CREATE VIEW {schema}.any_jobs AS
    SELECT * FROM {schema}.jobs
    UNION ALL
    SELECT * FROM {schema}.job_history;

-- A chord's callback is given its members' outcomes wherever they are: a member that
-- finished long before the last one may have been archived (0015 read jobs only).
CREATE OR REPLACE FUNCTION {schema}.chord_outcomes(members uuid[]) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_agg(jsonb_build_object(
               'id', m.id, 'status', coalesce(j.status, 'deleted'), 'result', j.result,
               'error', j.last_error) ORDER BY m.n)
      FROM unnest(members) WITH ORDINALITY AS m(id, n)
      LEFT JOIN {schema}.any_jobs j ON j.id = m.id
$$;

-- Counting (migration 0009): job_history gets the same statement triggers as jobs, so a
-- move is a -1 and a +1 of the same statement, and the counts do not change. Updates are
-- counted by 0009's function as they are (it reads only the transition tables).
CREATE FUNCTION {schema}.history_inserted_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH tagged AS (
        INSERT INTO {schema}.job_history_tags (tag, job_id, finished_at)
        SELECT DISTINCT t.tag, n.id, n.finished_at FROM new_jobs n, unnest(n.tags) AS t(tag)
    )
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, count(*) FROM new_jobs GROUP BY queue, task, status;
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.history_deleted_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH untagged AS (
        DELETE FROM {schema}.job_history_tags g
         USING (SELECT DISTINCT t.tag, o.id, o.finished_at
                  FROM old_jobs o, unnest(o.tags) AS t(tag)) AS d
         WHERE g.tag = d.tag AND g.job_id = d.id AND g.finished_at = d.finished_at
    )
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, -count(*) FROM old_jobs GROUP BY queue, task, status;
    RETURN NULL;
END
$$;

-- TRUNCATE of job_history: its jobs are subtracted before they go (a statement trigger
-- BEFORE it still sees them).
CREATE FUNCTION {schema}.history_truncated_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, -count(*) FROM {schema}.job_history
     GROUP BY queue, task, status;
    TRUNCATE {schema}.job_history_tags;
    RETURN NULL;
END
$$;

-- TRUNCATE of jobs empties every count (0009's trigger): the archived jobs are counted
-- again after it. (Triggers of one event fire in name order: this one comes second.)
CREATE FUNCTION {schema}.jobs_truncated_recount_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {schema}.job_count_changes (queue, task, status, n)
    SELECT queue, task, status, count(*) FROM {schema}.job_history
     GROUP BY queue, task, status;
    RETURN NULL;
END
$$;

CREATE TRIGGER job_history_counted_insert AFTER INSERT ON {schema}.job_history
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.history_inserted_counted();
CREATE TRIGGER job_history_counted_update AFTER UPDATE ON {schema}.job_history
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_updated_counted();
CREATE TRIGGER job_history_counted_delete AFTER DELETE ON {schema}.job_history
    REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.history_deleted_counted();
CREATE TRIGGER job_history_counted_truncate BEFORE TRUNCATE ON {schema}.job_history
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.history_truncated_counted();
CREATE TRIGGER jobs_history_recounted_truncate AFTER TRUNCATE ON {schema}.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_truncated_recount_history();

-- Daily partitions (UTC days), named job_history_pYYYYMMDD and job_history_tags_pYYYYMMDD,
-- from first_day to last_day; those that exist are left alone. A day whose rows have
-- landed in the default partition already gets no partition (creating it would fail):
-- its rows stay there and are pruned by age. Returns how many partitions were made.
CREATE FUNCTION {schema}.add_history_partitions(first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    made integer := 0;
    day date;
    low timestamptz;
    high timestamptz;
    suffix text;
BEGIN
    FOR day IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
        suffix := 'p' || to_char(day, 'YYYYMMDD');
        low := day::timestamp AT TIME ZONE 'UTC';
        high := (day + 1)::timestamp AT TIME ZONE 'UTC';
        CONTINUE WHEN to_regclass('{schema}.' || quote_ident('job_history_' || suffix)) IS NOT NULL;
        CONTINUE WHEN EXISTS (SELECT 1 FROM {schema}.job_history_default d
                               WHERE d.finished_at >= low AND d.finished_at < high);
        EXECUTE format('CREATE TABLE {schema}.%I PARTITION OF {schema}.job_history '
                       'FOR VALUES FROM (%L) TO (%L)', 'job_history_' || suffix, low, high);
        EXECUTE format('CREATE TABLE {schema}.%I PARTITION OF {schema}.job_history_tags '
                       'FOR VALUES FROM (%L) TO (%L)', 'job_history_tags_' || suffix, low, high);
        made := made + 1;
    END LOOP;
    RETURN made;
END
$$;

-- Retention: every daily partition whose whole day ended before horizon is dropped, with
-- its tags; its jobs are subtracted from the counts first (one read of the partition, no
-- row deleted). Both parents are locked first, in one order, so a concurrent reader waits
-- (briefly) instead of deadlocking. Returns how many jobs went.
CREATE FUNCTION {schema}.drop_expired_history(horizon timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    dropped bigint := 0;
    locked boolean := false;
    n bigint;
    part text;
BEGIN
    FOR part IN
        SELECT substr(c.relname, length('job_history_') + 1)
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = '{schema}.job_history'::regclass
           AND c.relname ~ '^job_history_p[0-9]{8}$'
           AND (to_date(substr(c.relname, length('job_history_p') + 1), 'YYYYMMDD') + 1)
               ::timestamp AT TIME ZONE 'UTC' <= horizon
         ORDER BY c.relname
    LOOP
        IF NOT locked THEN
            LOCK TABLE {schema}.job_history, {schema}.job_history_tags IN ACCESS EXCLUSIVE MODE;
            locked := true;
        END IF;
        EXECUTE format('WITH gone AS (INSERT INTO {schema}.job_count_changes '
                       '(queue, task, status, n) SELECT queue, task, status, -count(*) '
                       'FROM {schema}.%I GROUP BY queue, task, status RETURNING n) '
                       'SELECT coalesce(-sum(n), 0) FROM gone', 'job_history_' || part)
           INTO n;
        EXECUTE format('DROP TABLE {schema}.%I', 'job_history_' || part);
        EXECUTE format('DROP TABLE IF EXISTS {schema}.%I', 'job_history_tags_' || part);
        dropped := dropped + n;
    END LOOP;
    RETURN dropped;
END
$$;

-- Partitions for today and the next two days; the archive duty makes the rest as it goes.
SELECT {schema}.add_history_partitions((now() AT TIME ZONE 'UTC')::date,
                                       (now() AT TIME ZONE 'UTC')::date + 2);

-- Retry of an archived job: the row it comes back to jobs as (a JSON image of its
-- job_history row), requeued as retry_job requeues one in jobs. Through JSON so that
-- every column comes back, whatever columns jobs has.
CREATE FUNCTION {schema}.restored_job(archived jsonb) RETURNS {schema}.jobs
LANGUAGE sql STABLE AS $$
    SELECT * FROM jsonb_populate_record(NULL::{schema}.jobs, archived || jsonb_build_object(
        'status', 'queued', 'run_at', now(), 'finished_at', NULL,
        'cancel_requested', false, 'attempts', 0))
$$;

-- The insert trigger of jobs counts every row it sees as enqueued (job_stats); a job
-- coming back from job_history was enqueued once already, so it is taken off again here,
-- in the same transaction (the total over shards never goes back).
CREATE FUNCTION {schema}.not_enqueued(queues text[], tasks text[]) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    WITH taken AS (
        INSERT INTO {schema}.job_stats AS s (queue, task, metric, shard, n)
        SELECT u.q, u.t, 'enqueued', pg_backend_pid() % 16, -count(*)
          FROM unnest(queues, tasks) AS u(q, t)
         GROUP BY u.q, u.t ORDER BY u.q, u.t
        ON CONFLICT (queue, task, metric, le, shard) DO UPDATE SET n = s.n + excluded.n
        RETURNING 1
    )
    SELECT count(*) FROM taken
$$;
