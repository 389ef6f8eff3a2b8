// Generated from the API's OpenAPI document by scripts/gen-api.mjs (`make dashboard`).
// Do not edit: a test fails when this file differs from what the generator makes.

export interface paths {
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Jobs
         * @description Jobs newest first, those matching every filter given; pass ``next_cursor``
         *     back as ``cursor`` for the next page. ``payload``, ``result`` and
         *     ``attempt_history`` come only when ``fields`` asks.
         */
        get: operations["list_jobs_v1_jobs_get"];
        put?: never;
        /**
         * Enqueue
         * @description Enqueue a job. A dedupe key held by an unfinished job returns that job with 200
         *     and ``deduplicated: true``; so does a repeat of a request made before with the
         *     same ``Idempotency-Key``, whatever became of its job (a different request with
         *     that key is refused with 422).
         */
        post: operations["enqueue_v1_jobs_post"];
        /**
         * Purge
         * @description Delete finished jobs by filter (never unfinished ones).
         */
        delete: operations["purge_v1_jobs_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enqueue Batch
         * @description Enqueue up to ``max_batch_size`` jobs, all or nothing.
         */
        post: operations["enqueue_batch_v1_jobs_batch_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Job
         * @description One job, with its attempt history. With ``wait``, once it has finished or when
         *     ``wait`` seconds have passed, whichever comes first (long polling): the answer is
         *     200 either way, so look at ``status`` (docs/progress-and-results.md).
         */
        get: operations["get_job_v1_jobs__job_id__get"];
        put?: never;
        post?: never;
        /**
         * Delete
         * @description Delete a job. 409 while it runs.
         */
        delete: operations["delete_v1_jobs__job_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel
         * @description Cancel a job: a waiting one at once, a running one when its worker stops it
         *     (``cancel_requested: true`` meanwhile). 409 when it has finished.
         */
        post: operations["cancel_v1_jobs__job_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry
         * @description Send a failed or cancelled job back to the queue. 409 otherwise.
         */
        post: operations["retry_v1_jobs__job_id__retry_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Bulk
         * @description Retry, cancel or delete up to 1000 jobs: each job whose status allows it (as
         *     for one job), the others skipped with the reason ("not found" for an unknown id).
         *     ``delete`` needs the admin scope.
         */
        post: operations["bulk_v1_jobs_bulk_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chords": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create Chord
         * @description Enqueue ``jobs`` together (all or nothing, none with a dedupe key) and a
         *     ``callback`` enqueued exactly once when all have finished, whatever their
         *     outcome; its payload gets ``chord``: the chord's id and each job's outcome.
         */
        post: operations["create_chord_v1_chords_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chords/{chord_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Chord
         * @description A chord: its jobs' statuses, and its callback job's id once enqueued.
         */
        get: operations["get_chord_v1_chords__chord_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replay-dlq": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay Dlq
         * @description Send failed jobs back to ``queued``, their attempt history kept.
         */
        post: operations["replay_dlq_v1_replay_dlq_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause
         * @description Stop workers claiming from this queue; running jobs go on.
         */
        post: operations["pause_v1_queues__name__pause_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume
         * @description Let workers claim from this queue again.
         */
        post: operations["resume_v1_queues__name__resume_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queue-limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Limits
         * @description Every queue that has a limit, with its limits.
         */
        get: operations["list_limits_v1_queue_limits_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set Limits
         * @description Set the queue's limits to exactly these, for the whole fleet: the next claim of
         *     every worker holds to them. A limit left out is removed.
         */
        put: operations["set_limits_v1_queues__name__limits_put"];
        post?: never;
        /**
         * Clear Limits
         * @description Remove every limit of the queue.
         */
        delete: operations["clear_limits_v1_queues__name__limits_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Schedules
         * @description Every schedule, with its next tick and its last run.
         */
        get: operations["list_schedules_v1_schedules_get"];
        put?: never;
        /**
         * Create Schedule
         * @description Create a schedule; it starts at its first tick after now.
         */
        post: operations["create_schedule_v1_schedules_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Schedule
         * @description One schedule.
         */
        get: operations["get_schedule_v1_schedules__name__get"];
        put?: never;
        post?: never;
        /**
         * Delete Schedule
         * @description Delete a schedule (its jobs stay).
         */
        delete: operations["delete_schedule_v1_schedules__name__delete"];
        options?: never;
        head?: never;
        /**
         * Update Schedule
         * @description Change a schedule. A new cron expression or time zone, or a resume, starts it at
         *     its first tick after now.
         */
        patch: operations["update_schedule_v1_schedules__name__patch"];
        trace?: never;
    };
    "/v1/schedules/{name}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause Schedule
         * @description Stop enqueueing the schedule's ticks.
         */
        post: operations["pause_schedule_v1_schedules__name__pause_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{name}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume Schedule
         * @description Enqueue the schedule's ticks again, from its first tick after now (the ticks
         *     that passed while it was paused are not run).
         */
        post: operations["resume_schedule_v1_schedules__name__resume_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Claim
         * @description Claim up to ``limit`` runnable jobs of this queue, highest priority then oldest
         *     first, each under a lease of ``lease`` seconds with a token of its own. While the
         *     queue has none, wait up to ``wait`` seconds for one (woken when a job arrives);
         *     an empty list when none came.
         */
        post: operations["claim_v1_queues__name__claim_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}/heartbeat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Heartbeat
         * @description Extend a job's lease to ``lease`` seconds from now, and learn whether its cancel
         *     was requested; with ``progress``, store it on the job. 409 when the lease is lost:
         *     stop the job, report nothing.
         */
        post: operations["heartbeat_v1_jobs__job_id__heartbeat_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete
         * @description Record a job's success, with its ``result``. 409 (and nothing changed) when
         *     the lease is lost.
         */
        post: operations["complete_v1_jobs__job_id__complete_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}/fail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fail
         * @description Record a failed attempt: the job is retried after ``retry_delay`` seconds when
         *     attempts are left, and fails for good otherwise. 409 (and nothing changed) when
         *     the lease is lost.
         */
        post: operations["fail_v1_jobs__job_id__fail_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Keys
         * @description Every API key (ids and scopes; the keys themselves are never stored).
         */
        get: operations["list_keys_v1_keys_get"];
        put?: never;
        /**
         * Create Key
         * @description Create a key; the answer holds it once.
         */
        post: operations["create_key_v1_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke Key
         * @description Revoke a key.
         */
        delete: operations["revoke_key_v1_keys__key_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Me
         * @description The caller's key and what it may do.
         */
        get: operations["me_v1_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign In
         * @description Exchange a one-time sign-in code (from ``equeue dev`` or ``equeue keys
         *     sign-in-link``) for a new API key with the code's scopes, valid 12 hours. No key
         *     is needed; a code works once, within 10 minutes of its making.
         */
        post: operations["sign_in_v1_sign_in_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit Log
         * @description Operator actions newest first (``since`` and ``until`` inclusive); pass
         *     ``next_cursor`` back as ``cursor`` for the next page.
         */
        get: operations["audit_log_v1_audit_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Queues
         * @description Every queue: counts by status, paused flag, oldest waiting job, recent rates.
         */
        get: operations["list_queues_v1_queues_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Workers
         * @description Workers that sent a heartbeat recently (within ``worker_alive_seconds``), each
         *     with the jobs it runs now; ``stale`` when its heartbeat is older than its lease.
         */
        get: operations["list_workers_v1_workers_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Tasks
         * @description Task names workers have registered, with their defaults.
         */
        get: operations["list_tasks_v1_tasks_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stats/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stats Series
         * @description Jobs succeeded and failed, and percentiles of their wait and run times, per
         *     step over the last ``minutes`` (at most 60), of one queue or all. Read from the
         *     statistics the workers write every few seconds, never from the jobs.
         */
        get: operations["stats_series_v1_stats_series_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Dead Letters
         * @description Failed jobs grouped by task and the first line of their last error (the
         *     exception line), largest groups first (at most 200). Replay one group with
         *     ``POST /v1/replay-dlq?type=&error=``.
         */
        get: operations["dead_letters_v1_dead_letters_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Events Token
         * @description A short-lived signed token for ``WS /v1/events?token=...`` (browsers cannot
         *     set headers on a WebSocket; never put a key in a URL).
         */
        post: operations["events_token_v1_events_token_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics
         * @description Prometheus metrics (text format).
         */
        get: operations["metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/health/tables": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Table Health
         * @description The schema's tables: sizes, live and dead rows, last vacuum, partitions; what
         *     holds vacuum back; and the warnings of the documented thresholds.
         */
        get: operations["table_health_v1_health_tables_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Healthz
         * @description The process is up.
         */
        get: operations["healthz_healthz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readyz
         * @description The database answers and every migration is applied (asked at most once per
         *     ``ready_cache_seconds``; the reason for a 503 is in the server log).
         */
        get: operations["readyz_readyz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** AttemptOut */
        AttemptOut: {
            /** Number */
            number: number;
            /** Worker */
            worker: string | null;
            /** Started At */
            started_at: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Outcome */
            outcome: string;
            /** Error */
            error: string | null;
            /**
             * Lease Token
             * @description the lease the attempt ran under, dead since it ended: a worker's report refused with 409 names it
             */
            lease_token: string | null;
        };
        /**
         * AuditOut
         * @description One operator action that succeeded.
         */
        AuditOut: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /**
             * Actor
             * @description the API key's id (env for the environment's key), or cli
             */
            actor: string;
            /**
             * Actor Name
             * @description the key's name when it has one, or the command line's OS user
             */
            actor_name: string | null;
            /**
             * Source
             * @description the client's address, or cli:<user>@<host>
             */
            source: string;
            /**
             * Action
             * @description job.retry, jobs.purge, queue.pause, key.create, ...
             */
            action: string;
            /**
             * Job Ids
             * @description the jobs the action named one by one
             */
            job_ids: string[];
            /**
             * Target
             * @description what else names its object: a bulk action's filter, a queue, a key
             */
            target: {
                [key: string]: unknown;
            };
            /**
             * Affected
             * @description how many jobs a bulk action changed
             */
            affected: number | null;
        };
        /** AuditPage */
        AuditPage: {
            /** Items */
            items: components["schemas"]["AuditOut"][];
            /** Next Cursor */
            next_cursor: string | null;
        };
        /**
         * BulkIn
         * @example {
         *       "action": "retry",
         *       "ids": [
         *         "0190f7a8-6c1e-7b52-9a3d-2f1e4c5b6a70"
         *       ]
         *     }
         */
        BulkIn: {
            /**
             * Action
             * @description delete needs the admin scope
             * @enum {string}
             */
            action: "retry" | "cancel" | "delete";
            /** Ids */
            ids: string[];
        };
        /** BulkOut */
        BulkOut: {
            /** Done */
            done: string[];
            /** Skipped */
            skipped: components["schemas"]["Skipped"][];
        };
        /**
         * ChordIn
         * @description Jobs enqueued together, and a callback enqueued once when all have finished.
         */
        ChordIn: {
            /** Jobs */
            jobs: components["schemas"]["ChordJobIn"][];
            /** @description the job enqueued at the end */
            callback: components["schemas"]["FollowUpIn"];
        };
        /**
         * ChordJobIn
         * @description A job of a chord: a job without a dedupe key.
         * @example {
         *       "delay": 0,
         *       "max_attempts": 5,
         *       "payload": {
         *         "text": "hello"
         *       },
         *       "priority": 0,
         *       "queue": "default",
         *       "tags": [],
         *       "timeout": 30,
         *       "type": "text.reverse"
         *     }
         */
        ChordJobIn: {
            /**
             * Type
             * @description the task name
             */
            type: string;
            /**
             * Payload
             * @description keyword arguments of the task: a JSON object of at most 1048576 bytes as JSON
             */
            payload?: {
                [key: string]: components["schemas"]["PayloadValue"];
            };
            /** Queue */
            queue?: string | null;
            /**
             * Priority
             * @description higher runs first
             */
            priority?: number | null;
            /**
             * Delay
             * @description seconds to wait before running; not with run_at
             */
            delay?: number | null;
            /**
             * Run At
             * @description when to run, at most 366 days ahead; not with delay
             */
            run_at?: string | null;
            /** Max Attempts */
            max_attempts?: number | null;
            /**
             * Timeout
             * @description seconds; null for none
             */
            timeout?: number | null;
            /**
             * Dedupe Key
             * @description a chord's jobs take none
             */
            dedupe_key?: null;
            /** Tags */
            tags?: string[] | null;
            /**
             * Group
             * @description the job's group: a queue's group_concurrency limits how many jobs of one group run at once (docs/limits.md)
             */
            group?: string | null;
            /** @description enqueued when this job succeeds (docs/chains.md) */
            on_success?: components["schemas"]["FollowUpIn"] | null;
            /** @description enqueued when this job fails for good */
            on_failure?: components["schemas"]["FollowUpIn"] | null;
        };
        /** ChordMemberOut */
        ChordMemberOut: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Type
             * @description null once the job was deleted
             */
            type: string | null;
            /**
             * Status
             * @description the job's status, or 'deleted'
             */
            status: string;
            /** Result */
            result?: unknown;
            /** Error */
            error?: string | null;
        };
        /**
         * ChordOut
         * @description A chord: its jobs as they are now, and its callback job once enqueued.
         */
        ChordOut: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Finished At
             * @description when the last job finished
             */
            finished_at: string | null;
            /**
             * Remaining
             * @description jobs not finished yet
             */
            remaining: number;
            /**
             * Callback
             * @description the callback's job spec, as resolved
             */
            callback: {
                [key: string]: unknown;
            };
            /**
             * Callback Job Id
             * @description set once the callback is enqueued
             */
            callback_job_id: string | null;
            /** Jobs */
            jobs: components["schemas"]["ChordMemberOut"][];
        };
        /**
         * Claimed
         * @description The jobs a claim took: none when the queue had nothing runnable all along.
         */
        Claimed: {
            /** Items */
            items: components["schemas"]["LeasedJobOut"][];
        };
        /** CompleteIn */
        CompleteIn: {
            /**
             * Token
             * Format: uuid
             * @description the lease token the claim gave
             */
            token: string;
            /** Result */
            result?: components["schemas"]["PayloadValue"];
        };
        /** DeadLetterGroupOut */
        DeadLetterGroupOut: {
            /**
             * Type
             * @description the task name
             */
            type: string;
            /**
             * Error
             * @description the first line of the jobs' last error
             */
            error: string;
            /** Count */
            count: number;
            /** Queues */
            queues: string[];
            /** First Failed At */
            first_failed_at: string | null;
            /** Last Failed At */
            last_failed_at: string | null;
            /**
             * Sample Job Id
             * Format: uuid
             * @description the group's newest job
             */
            sample_job_id: string;
        };
        /** DeadLetters */
        DeadLetters: {
            /**
             * Groups
             * @description largest first
             */
            groups: components["schemas"]["DeadLetterGroupOut"][];
            /**
             * Total
             * @description failed jobs in all, of the groups listed or not
             */
            total: number;
        };
        /** Deleted */
        Deleted: {
            /** Deleted */
            deleted: number;
        };
        /**
         * EnqueuedJob
         * @description A job as enqueue answers it: ``deduplicated`` says it already existed.
         */
        EnqueuedJob: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Type */
            type: string;
            /** Payload */
            payload: {
                [key: string]: unknown;
            };
            /** Queue */
            queue: string;
            /** Priority */
            priority: number;
            status: components["schemas"]["JobStatus"];
            /** Attempts */
            attempts: number;
            /** Max Attempts */
            max_attempts: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Scheduled At
             * Format: date-time
             */
            scheduled_at: string;
            /** Started At */
            started_at: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Last Error */
            last_error: string | null;
            /** Result */
            result: unknown;
            /** Dedupe Key */
            dedupe_key: string | null;
            /** Tags */
            tags: string[];
            /** Cancel Requested */
            cancel_requested: boolean;
            progress?: components["schemas"]["ProgressOut"] | null;
            /** Group */
            group?: string | null;
            /** Deduplicated */
            deduplicated: boolean;
        };
        /** ErrorDetail */
        ErrorDetail: {
            /**
             * Code
             * @description stable, for programs: not_found, conflict, invalid...
             */
            code: string;
            /**
             * Message
             * @description for people: what is wrong
             */
            message: string;
        };
        /**
         * ErrorOut
         * @description Every error answer.
         */
        ErrorOut: {
            error: components["schemas"]["ErrorDetail"];
        };
        /** EventToken */
        EventToken: {
            /** Token */
            token: string;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
        };
        /** FailIn */
        FailIn: {
            /**
             * Token
             * Format: uuid
             * @description the lease token the claim gave
             */
            token: string;
            /**
             * Error
             * @description one line: kept as the job's last_error
             */
            error: string;
            /**
             * Detail
             * @description the whole error (a traceback), kept in the job's history
             */
            detail?: string | null;
            /**
             * Retry Delay
             * @description seconds before the retry, when attempts are left
             * @default 0
             */
            retry_delay: number;
        };
        /**
         * FollowUpIn
         * @description A job enqueued by another's outcome: the fields of a job but ``run_at`` and
         *     ``dedupe_key``, and follow-ups of its own.
         * @example {
         *       "payload": {
         *         "to": "ops"
         *       },
         *       "type": "report.send"
         *     }
         */
        FollowUpIn: {
            /**
             * Type
             * @description the task name
             */
            type: string;
            /**
             * Payload
             * @description keyword arguments of the task, without the keys 'parent' and 'chord': equeue adds 'parent' to a follow-up's, 'chord' to a callback's
             */
            payload?: {
                [key: string]: components["schemas"]["PayloadValue"];
            };
            /** Queue */
            queue?: string | null;
            /** Priority */
            priority?: number | null;
            /**
             * Delay
             * @description seconds to wait once its parent ended
             */
            delay?: number | null;
            /** Max Attempts */
            max_attempts?: number | null;
            /** Timeout */
            timeout?: number | null;
            /** Tags */
            tags?: string[] | null;
            on_success?: components["schemas"]["FollowUpLastIn"] | null;
            on_failure?: components["schemas"]["FollowUpLastIn"] | null;
        };
        /**
         * FollowUpLastIn
         * @description A job enqueued by another's outcome, with no follow-ups of its own: the fields of
         *     a job but ``run_at`` and ``dedupe_key``.
         * @example {
         *       "payload": {
         *         "to": "ops"
         *       },
         *       "type": "report.send"
         *     }
         */
        FollowUpLastIn: {
            /**
             * Type
             * @description the task name
             */
            type: string;
            /**
             * Payload
             * @description keyword arguments of the task, without the keys 'parent' and 'chord': equeue adds 'parent' to a follow-up's, 'chord' to a callback's
             */
            payload?: {
                [key: string]: components["schemas"]["PayloadValue"];
            };
            /** Queue */
            queue?: string | null;
            /** Priority */
            priority?: number | null;
            /**
             * Delay
             * @description seconds to wait once its parent ended
             */
            delay?: number | null;
            /** Max Attempts */
            max_attempts?: number | null;
            /** Timeout */
            timeout?: number | null;
            /** Tags */
            tags?: string[] | null;
        };
        /** Health */
        Health: {
            /** Status */
            status: string;
        };
        /**
         * HeartbeatIn
         * @example {
         *       "lease": 30,
         *       "token": "0192f0c8-7a41-7c1e-9f00-3c6f9d2b1a55"
         *     }
         */
        HeartbeatIn: {
            /**
             * Token
             * Format: uuid
             * @description the lease token the claim gave
             */
            token: string;
            /**
             * Lease
             * @description seconds from now the lease lasts
             * @default 30
             */
            lease: number;
            /**
             * Progress
             * @description how far the job has got, from 0 to 1, stored on the job with the lease renewed (docs/progress-and-results.md)
             */
            progress?: number | null;
            /**
             * Message
             * @description what the job is doing, stored with progress (ignored without it)
             */
            message?: string | null;
        };
        /** HeartbeatOut */
        HeartbeatOut: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Lease Seconds
             * @description the lease lapses this long from now
             */
            lease_seconds: number;
            /**
             * Cancel Requested
             * @description someone asked for the job to stop: stop it and report a failure
             */
            cancel_requested: boolean;
        };
        /**
         * JobBatchIn
         * @description Jobs to enqueue together, all or nothing.
         * @example {
         *       "jobs": [
         *         {
         *           "delay": 0,
         *           "max_attempts": 5,
         *           "payload": {
         *             "text": "hello"
         *           },
         *           "priority": 0,
         *           "queue": "default",
         *           "tags": [],
         *           "timeout": 30,
         *           "type": "text.reverse"
         *         }
         *       ]
         *     }
         */
        JobBatchIn: {
            /** Jobs */
            jobs: components["schemas"]["JobIn"][];
        };
        /** JobBatchOut */
        JobBatchOut: {
            /** Items */
            items: components["schemas"]["EnqueuedJob"][];
        };
        /**
         * JobDetail
         * @description A job with the history of its attempts.
         */
        JobDetail: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Type */
            type: string;
            /** Payload */
            payload: {
                [key: string]: unknown;
            };
            /** Queue */
            queue: string;
            /** Priority */
            priority: number;
            status: components["schemas"]["JobStatus"];
            /** Attempts */
            attempts: number;
            /** Max Attempts */
            max_attempts: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Scheduled At
             * Format: date-time
             */
            scheduled_at: string;
            /** Started At */
            started_at: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Last Error */
            last_error: string | null;
            /** Result */
            result: unknown;
            /** Dedupe Key */
            dedupe_key: string | null;
            /** Tags */
            tags: string[];
            /** Cancel Requested */
            cancel_requested: boolean;
            progress?: components["schemas"]["ProgressOut"] | null;
            /** Group */
            group?: string | null;
            /** Attempt History */
            attempt_history: components["schemas"]["AttemptOut"][];
            /**
             * Follow Ups
             * @description the on_success and on_failure specs of this job
             */
            follow_ups?: {
                [key: string]: unknown;
            } | null;
            /**
             * Chord Id
             * @description the chord this job is a member, or the callback, of
             */
            chord_id?: string | null;
            /**
             * Parent Id
             * @description the job whose outcome enqueued this one
             */
            parent_id?: string | null;
        };
        /**
         * JobIn
         * @description A job to enqueue. Only ``type`` is required; the rest default to the task's.
         * @example {
         *       "delay": 0,
         *       "max_attempts": 5,
         *       "payload": {
         *         "text": "hello"
         *       },
         *       "priority": 0,
         *       "queue": "default",
         *       "tags": [],
         *       "timeout": 30,
         *       "type": "text.reverse"
         *     }
         */
        JobIn: {
            /**
             * Type
             * @description the task name
             */
            type: string;
            /**
             * Payload
             * @description keyword arguments of the task: a JSON object of at most 1048576 bytes as JSON
             */
            payload?: {
                [key: string]: components["schemas"]["PayloadValue"];
            };
            /** Queue */
            queue?: string | null;
            /**
             * Priority
             * @description higher runs first
             */
            priority?: number | null;
            /**
             * Delay
             * @description seconds to wait before running; not with run_at
             */
            delay?: number | null;
            /**
             * Run At
             * @description when to run, at most 366 days ahead; not with delay
             */
            run_at?: string | null;
            /** Max Attempts */
            max_attempts?: number | null;
            /**
             * Timeout
             * @description seconds; null for none
             */
            timeout?: number | null;
            /**
             * Dedupe Key
             * @description an unfinished job holding this key is returned instead
             */
            dedupe_key?: string | null;
            /** Tags */
            tags?: string[] | null;
            /**
             * Group
             * @description the job's group: a queue's group_concurrency limits how many jobs of one group run at once (docs/limits.md)
             */
            group?: string | null;
            /** @description enqueued when this job succeeds (docs/chains.md) */
            on_success?: components["schemas"]["FollowUpIn"] | null;
            /** @description enqueued when this job fails for good */
            on_failure?: components["schemas"]["FollowUpIn"] | null;
        };
        /**
         * JobListItem
         * @description A job on a page: ``id``, and the fields ``fields`` chose (by default every field of
         *     a job but ``payload`` and ``result``, which can be large). A field not chosen is
         *     absent; one chosen is present, null only where a job's field is null.
         */
        JobListItem: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Type */
            type?: string | null;
            /** Payload */
            payload?: {
                [key: string]: unknown;
            } | null;
            /** Queue */
            queue?: string | null;
            /** Priority */
            priority?: number | null;
            status?: components["schemas"]["JobStatus"] | null;
            /** Attempts */
            attempts?: number | null;
            /** Max Attempts */
            max_attempts?: number | null;
            /** Created At */
            created_at?: string | null;
            /** Scheduled At */
            scheduled_at?: string | null;
            /** Started At */
            started_at?: string | null;
            /** Finished At */
            finished_at?: string | null;
            /** Last Error */
            last_error?: string | null;
            /** Result */
            result?: unknown;
            /** Dedupe Key */
            dedupe_key?: string | null;
            /** Tags */
            tags?: string[] | null;
            /** Cancel Requested */
            cancel_requested?: boolean | null;
            /** Attempt History */
            attempt_history?: components["schemas"]["AttemptOut"][] | null;
            progress?: components["schemas"]["ProgressOut"] | null;
        };
        /**
         * JobOut
         * @description A job.
         */
        JobOut: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Type */
            type: string;
            /** Payload */
            payload: {
                [key: string]: unknown;
            };
            /** Queue */
            queue: string;
            /** Priority */
            priority: number;
            status: components["schemas"]["JobStatus"];
            /** Attempts */
            attempts: number;
            /** Max Attempts */
            max_attempts: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Scheduled At
             * Format: date-time
             */
            scheduled_at: string;
            /** Started At */
            started_at: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Last Error */
            last_error: string | null;
            /** Result */
            result: unknown;
            /** Dedupe Key */
            dedupe_key: string | null;
            /** Tags */
            tags: string[];
            /** Cancel Requested */
            cancel_requested: boolean;
            progress?: components["schemas"]["ProgressOut"] | null;
            /** Group */
            group?: string | null;
        };
        /** JobPage */
        JobPage: {
            /** Items */
            items: components["schemas"]["JobListItem"][];
            /** Next Cursor */
            next_cursor: string | null;
        };
        /**
         * JobStatus
         * @description The public vocabulary of a job's life.
         * @enum {string}
         */
        JobStatus: "scheduled" | "queued" | "running" | "retrying" | "succeeded" | "failed" | "cancelled";
        /** KeyCreated */
        KeyCreated: {
            /** Id */
            id: string;
            /** Name */
            name: string | null;
            /** Scopes */
            scopes: string[];
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Revoked At */
            revoked_at: string | null;
            /**
             * Expires At
             * @description null: it never expires (keys given at sign-in do)
             */
            expires_at?: string | null;
            /**
             * Key
             * @description the key itself: shown this once, never stored
             */
            key: string;
        };
        /**
         * KeyIn
         * @example {
         *       "name": "grafana",
         *       "scopes": [
         *         "read"
         *       ]
         *     }
         */
        KeyIn: {
            /** Scopes */
            scopes: ("read" | "write" | "admin" | "work")[];
            /** Name */
            name?: string | null;
        };
        /** KeyList */
        KeyList: {
            /** Items */
            items: components["schemas"]["KeyOut"][];
        };
        /** KeyOut */
        KeyOut: {
            /** Id */
            id: string;
            /** Name */
            name: string | null;
            /** Scopes */
            scopes: string[];
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Revoked At */
            revoked_at: string | null;
            /**
             * Expires At
             * @description null: it never expires (keys given at sign-in do)
             */
            expires_at?: string | null;
        };
        /**
         * LeasedJobOut
         * @description A claimed job: run it, renew its lease before it lapses, then report how it ended,
         *     each time with its ``lease_token``.
         */
        LeasedJobOut: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Type */
            type: string;
            /** Queue */
            queue: string;
            /** Payload */
            payload: {
                [key: string]: unknown;
            };
            /** Priority */
            priority: number;
            /**
             * Attempt
             * @description this attempt's number, from 1
             */
            attempt: number;
            /** Max Attempts */
            max_attempts: number;
            /**
             * Timeout
             * @description seconds the job's task may run, if bounded
             */
            timeout: number | null;
            /**
             * Lease Token
             * Format: uuid
             * @description proves the lease: every report names it
             */
            lease_token: string;
            /**
             * Lease Seconds
             * @description the lease lapses this long after the claim
             */
            lease_seconds: number;
        };
        /**
         * Me
         * @description The caller: its key and what the key may do.
         */
        Me: {
            /**
             * Key Id
             * @description null when authentication is off
             */
            key_id: string | null;
            /** Scopes */
            scopes: string[];
            /**
             * Can Write
             * @description enqueue, cancel and retry
             */
            can_write: boolean;
            /**
             * Can Admin
             * @description delete, purge, replay, pause and resume, keys
             */
            can_admin: boolean;
        };
        /** PartitionOut */
        PartitionOut: {
            /** Name */
            name: string;
            /**
             * Bound
             * @description the partition's bounds, as PostgreSQL writes them
             */
            bound: string;
            /** Total Bytes */
            total_bytes: number;
        };
        PayloadText: string;
        PayloadValue: boolean | number | components["schemas"]["PayloadText"] | components["schemas"]["PayloadValue"][] | {
            [key: string]: components["schemas"]["PayloadValue"];
        } | null;
        /**
         * ProgressOut
         * @description The latest progress a job's task reported (docs/progress-and-results.md).
         */
        ProgressOut: {
            /**
             * Fraction
             * @description from 0 (nothing done) to 1 (all done)
             */
            fraction: number;
            /** Message */
            message: string | null;
            /**
             * At
             * Format: date-time
             * @description when it was written
             */
            at: string;
            /**
             * Attempt
             * @description the attempt that reported it: when it is not the job's current attempt, it says how far an earlier attempt got
             */
            attempt: number;
        };
        /**
         * QueueLimitsIn
         * @description The limits a queue gets: each left out or null is no limit.
         * @example {
         *       "concurrency": 10,
         *       "group_concurrency": 2,
         *       "rate": 5
         *     }
         */
        QueueLimitsIn: {
            /**
             * Concurrency
             * @description most jobs running at once, fleet-wide
             */
            concurrency?: number | null;
            /**
             * Rate
             * @description most jobs started per second (at least 1e-06)
             */
            rate?: number | null;
            /**
             * Burst
             * @description most jobs started at once after a quiet spell (needs rate); default: a tenth of a second's worth of the rate, at least 1
             */
            burst?: number | null;
            /**
             * Group Concurrency
             * @description most jobs of one group (a job's group) running at once
             */
            group_concurrency?: number | null;
        } | {
            burst?: null;
        } | {
            rate: number;
        };
        /** QueueLimitsList */
        QueueLimitsList: {
            /** Items */
            items: components["schemas"]["QueueLimitsOut"][];
        };
        /**
         * QueueLimitsOut
         * @description A queue's limits; null: no such limit.
         */
        QueueLimitsOut: {
            /** Name */
            name: string;
            /** Concurrency */
            concurrency: number | null;
            /** Rate */
            rate: number | null;
            /** Burst */
            burst: number | null;
            /** Group Concurrency */
            group_concurrency: number | null;
        };
        /** QueueList */
        QueueList: {
            /** Items */
            items: components["schemas"]["QueueOut"][];
        };
        /** QueueOut */
        QueueOut: {
            /** Name */
            name: string;
            /** Paused */
            paused: boolean;
            /** Counts */
            counts: {
                [key: string]: number;
            };
            /**
             * Oldest Queued Age Seconds
             * @description age of the oldest job waiting to run, null when none waits
             */
            oldest_queued_age_seconds: number | null;
            /**
             * Completed Per Second
             * @description jobs succeeded per second, last minute
             */
            completed_per_second: number;
            /**
             * Failed Per Second
             * @description jobs failed per second, last minute
             */
            failed_per_second: number;
        };
        /** QueueState */
        QueueState: {
            /** Name */
            name: string;
            /** Paused */
            paused: boolean;
        };
        /** Replayed */
        Replayed: {
            /** Replayed */
            replayed: number;
        };
        /**
         * Reported
         * @description A report that landed: the job's status now.
         */
        Reported: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Status
             * @description succeeded; or, after a failure, retrying, failed (no attempts left) or cancelled (its cancel was requested)
             */
            status: string;
        };
        /**
         * ScheduleChange
         * @description The fields to change; those left out stay as they are. Only ``queue`` and
         *     ``priority`` may be null (the task's own again).
         * @example {
         *       "paused": true
         *     }
         * @example {
         *       "cron": "0 * * * *"
         *     }
         */
        ScheduleChange: {
            /** Task */
            task?: string;
            /**
             * Cron
             * @description 5 fields (minute hour day month weekday), or 6 with the seconds first
             * @example *\/5 * * * *
             */
            cron?: string;
            /**
             * Timezone
             * @description IANA time zone
             * @example UTC
             */
            timezone?: string;
            /** Payload */
            payload?: {
                [key: string]: components["schemas"]["PayloadValue"];
            };
            /** Queue */
            queue?: string | null;
            /** Priority */
            priority?: number | null;
            /**
             * On Missed
             * @enum {string}
             */
            on_missed?: "skip" | "catch_up";
            /** Catch Up Limit */
            catch_up_limit?: number;
            /** Paused */
            paused?: boolean;
        };
        /**
         * ScheduleIn
         * @example {
         *       "cron": "0 9 * * 1-5",
         *       "name": "report",
         *       "task": "report.build",
         *       "timezone": "Europe/Paris"
         *     }
         */
        ScheduleIn: {
            /** Name */
            name: string;
            /** Task */
            task: string;
            /**
             * Cron
             * @description 5 fields (minute hour day month weekday), or 6 with the seconds first
             * @example *\/5 * * * *
             */
            cron: string;
            /**
             * Timezone
             * @description IANA time zone
             * @default UTC
             * @example UTC
             */
            timezone: string;
            /** Payload */
            payload?: {
                [key: string]: components["schemas"]["PayloadValue"];
            };
            /**
             * Queue
             * @description null: the task's queue
             */
            queue?: string | null;
            /**
             * Priority
             * @description null: the task's priority
             */
            priority?: number | null;
            /**
             * On Missed
             * @description ticks missed while nothing ran: skip (the latest runs) or catch_up (each, up to catch_up_limit)
             * @default skip
             * @enum {string}
             */
            on_missed: "skip" | "catch_up";
            /**
             * Catch Up Limit
             * @default 100
             */
            catch_up_limit: number;
            /**
             * Paused
             * @default false
             */
            paused: boolean;
        };
        /** ScheduleList */
        ScheduleList: {
            /** Items */
            items: components["schemas"]["ScheduleOut"][];
        };
        /** ScheduleOut */
        ScheduleOut: {
            /** Name */
            name: string;
            /** Task */
            task: string;
            /** Cron */
            cron: string;
            /** Timezone */
            timezone: string;
            /** Payload */
            payload: {
                [key: string]: unknown;
            };
            /** Queue */
            queue: string | null;
            /** Priority */
            priority: number | null;
            /**
             * On Missed
             * @enum {string}
             */
            on_missed: "skip" | "catch_up";
            /** Catch Up Limit */
            catch_up_limit: number;
            /** Paused */
            paused: boolean;
            /**
             * Next Run At
             * Format: date-time
             * @description the next tick (while paused: the one it would run)
             */
            next_run_at: string;
            /**
             * Last Run At
             * @description the latest tick enqueued
             */
            last_run_at: string | null;
            /**
             * Last Job Id
             * @description the job of that tick
             */
            last_job_id: string | null;
            /**
             * Source
             * @description code (@queue.periodic) or api
             */
            source: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /** Series */
        Series: {
            /** Step Seconds */
            step_seconds: number;
            /**
             * Points
             * @description one per step, oldest first, the current last
             */
            points: components["schemas"]["SeriesPoint"][];
        };
        /**
         * SeriesPoint
         * @description One time step: jobs finished in it, and percentiles of the wait and run times of
         *     its jobs (seconds; null without jobs).
         */
        SeriesPoint: {
            /**
             * At
             * Format: date-time
             * @description the step's start
             */
            at: string;
            /** Succeeded */
            succeeded: number;
            /**
             * Failed
             * @description jobs that failed for good (dead-lettered)
             */
            failed: number;
            /** Wait P50 */
            wait_p50: number | null;
            /** Wait P95 */
            wait_p95: number | null;
            /** Wait P99 */
            wait_p99: number | null;
            /** Run P50 */
            run_p50: number | null;
            /** Run P95 */
            run_p95: number | null;
            /** Run P99 */
            run_p99: number | null;
        };
        /**
         * SignInIn
         * @example {
         *       "code": "Vx3sY0bC1qk9lDdN2mJ5wTQyE8uH6fAaR4pZoXiKgLc"
         *     }
         */
        SignInIn: {
            /**
             * Code
             * @description the code of a sign-in link: valid once, 10 minutes
             */
            code: string;
        };
        /**
         * SignedIn
         * @description A fresh API key, given for a sign-in code.
         */
        SignedIn: {
            /**
             * Key
             * @description the key itself: shown this once, never stored
             */
            key: string;
            /** Key Id */
            key_id: string;
            /** Scopes */
            scopes: string[];
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
        };
        /** Skipped */
        Skipped: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Reason
             * @description "not found", or why the job's status does not allow it
             */
            reason: string;
        };
        /** TableOut */
        TableOut: {
            /** Name */
            name: string;
            /**
             * Total Bytes
             * @description the table, its indexes and its TOAST
             */
            total_bytes: number;
            /** Index Bytes */
            index_bytes: number;
            /**
             * Live Rows
             * @description as PostgreSQL's statistics estimate them
             */
            live_rows: number;
            /**
             * Dead Rows
             * @description rows deleted or updated, not yet vacuumed away
             */
            dead_rows: number;
            /** Last Vacuum */
            last_vacuum: string | null;
            /** Last Analyze */
            last_analyze: string | null;
            /** Partitions */
            partitions: components["schemas"]["PartitionOut"][];
        };
        /** TablesHealth */
        TablesHealth: {
            /** Tables */
            tables: components["schemas"]["TableOut"][];
            vacuum_horizon: components["schemas"]["VacuumHorizonOut"];
            /**
             * Warnings
             * @description what passes a documented warning threshold
             */
            warnings: string[];
        };
        /** TaskList */
        TaskList: {
            /** Items */
            items: components["schemas"]["TaskOut"][];
        };
        /** TaskOut */
        TaskOut: {
            /** Name */
            name: string;
            /** Queue */
            queue: string;
            /** Priority */
            priority: number;
            /** Max Attempts */
            max_attempts: number;
            /** Timeout */
            timeout: number | null;
            /**
             * Last Seen
             * Format: date-time
             */
            last_seen: string;
        };
        /**
         * VacuumHorizonOut
         * @description What keeps vacuum from removing dead rows (null: nothing does). Other roles'
         *     sessions are seen only with the pg_read_all_stats (or pg_monitor) role.
         */
        VacuumHorizonOut: {
            /**
             * Oldest Snapshot Age
             * @description transactions since the oldest snapshot a session of this database holds
             */
            oldest_snapshot_age: number | null;
            /**
             * Oldest Snapshot Seconds
             * @description how long that session's transaction has been open
             */
            oldest_snapshot_seconds: number | null;
            /** Oldest Snapshot Pid */
            oldest_snapshot_pid: number | null;
            /** Oldest Snapshot Application */
            oldest_snapshot_application: string | null;
            /** Oldest Snapshot State */
            oldest_snapshot_state: string | null;
            /**
             * Replication Slot Age
             * @description transactions behind, the oldest replication slot
             */
            replication_slot_age: number | null;
            /**
             * Prepared Transaction Age
             * @description transactions behind, the oldest prepared transaction
             */
            prepared_transaction_age: number | null;
            /** Prepared Transaction Seconds */
            prepared_transaction_seconds: number | null;
        };
        /** WorkerList */
        WorkerList: {
            /** Items */
            items: components["schemas"]["WorkerOut"][];
        };
        /** WorkerOut */
        WorkerOut: {
            /** Id */
            id: string;
            /** Host */
            host: string;
            /** Pid */
            pid: number;
            /** Queues */
            queues: string[] | null;
            /** Concurrency */
            concurrency: number;
            /** Running */
            running: number;
            /**
             * Abandoned Threads
             * @default 0
             */
            abandoned_threads: number;
            /**
             * Sync Claims Paused
             * @default false
             */
            sync_claims_paused: boolean;
            /**
             * Started At
             * Format: date-time
             */
            started_at: string;
            /**
             * Last Heartbeat
             * Format: date-time
             */
            last_heartbeat: string;
            /**
             * Heartbeat Age Seconds
             * @description seconds since the last heartbeat
             */
            heartbeat_age_seconds: number;
            /**
             * Stale
             * @description no heartbeat for longer than the worker's lease: it has stopped beating (its jobs are rescued when their leases run out)
             */
            stale: boolean;
            /**
             * Running Jobs
             * @description the jobs the worker runs now
             */
            running_jobs: string[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    list_jobs_v1_jobs_get: {
        parameters: {
            query?: {
                status?: components["schemas"]["JobStatus"] | null;
                queue?: string | null;
                type?: string | null;
                tag?: string | null;
                limit?: number;
                cursor?: string | null;
                id?: string | null;
                dedupe_key?: string | null;
                /** @description the fields of each job, comma-separated (id is always there); by default every field of a job but payload and result, which can be large */
                fields?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobPage"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    enqueue_v1_jobs_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description a key naming this request: a repeat of it returns the job its first instance created (kept for the jobs' retention) */
                "idempotency-key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JobIn"];
            };
        };
        responses: {
            /** @description an unfinished job held the dedupe key, or a request made before with this Idempotency-Key created the job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnqueuedJob"];
                };
            };
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnqueuedJob"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    purge_v1_jobs_delete: {
        parameters: {
            query?: {
                status?: ("succeeded" | "failed" | "cancelled")[];
                queue?: string | null;
                type?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    enqueue_batch_v1_jobs_batch_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JobBatchIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobBatchOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    get_job_v1_jobs__job_id__get: {
        parameters: {
            query?: {
                /** @description wait up to this many seconds (at most 60, EQUEUE_JOB_MAX_WAIT_SECONDS) for the job to finish before answering; the job comes back as it is then, finished or not */
                wait?: number | null;
            };
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDetail"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    delete_v1_jobs__job_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    cancel_v1_jobs__job_id__cancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    retry_v1_jobs__job_id__retry_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    bulk_v1_jobs_bulk_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BulkIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    create_chord_v1_chords_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChordIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChordOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    get_chord_v1_chords__chord_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the chord's id */
                chord_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChordOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    replay_dlq_v1_replay_dlq_post: {
        parameters: {
            query?: {
                limit?: number;
                queue?: string | null;
                type?: string | null;
                /** @description only jobs whose last error's first line is this one exactly (a group of GET /v1/dead-letters) */
                error?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replayed"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    pause_v1_queues__name__pause_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the queue's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueState"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    resume_v1_queues__name__resume_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the queue's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueState"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_limits_v1_queue_limits_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueLimitsList"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    set_limits_v1_queues__name__limits_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the queue's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QueueLimitsIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueLimitsOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    clear_limits_v1_queues__name__limits_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the queue's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueLimitsOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_schedules_v1_schedules_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleList"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    create_schedule_v1_schedules_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    get_schedule_v1_schedules__name__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    delete_schedule_v1_schedules__name__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    update_schedule_v1_schedules__name__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleChange"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    pause_schedule_v1_schedules__name__pause_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    resume_schedule_v1_schedules__name__resume_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    claim_v1_queues__name__claim_post: {
        parameters: {
            query: {
                /** @description the worker's id, chosen by the worker: it is listed under it */
                worker: string;
                /** @description most jobs to take */
                limit?: number;
                /** @description seconds each job's lease lasts unless renewed */
                lease?: number;
                /** @description seconds to wait for a job while the queue has none runnable */
                wait?: number;
            };
            header?: never;
            path: {
                /** @description the queue's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Claimed"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    heartbeat_v1_jobs__job_id__heartbeat_post: {
        parameters: {
            query: {
                /** @description the worker's id, chosen by the worker: it is listed under it */
                worker: string;
            };
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HeartbeatIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HeartbeatOut"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    complete_v1_jobs__job_id__complete_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CompleteIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reported"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    fail_v1_jobs__job_id__fail_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the job's id */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FailIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reported"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the job's status does not allow this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_keys_v1_keys_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyList"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    create_key_v1_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyCreated"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    revoke_key_v1_keys__key_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no such job or key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    me_v1_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    sign_in_v1_sign_in_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignInIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedIn"];
                };
            };
            /** @description the body is not readable as JSON text */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    audit_log_v1_audit_get: {
        parameters: {
            query?: {
                /** @description an actor's id */
                actor?: string | null;
                /** @description e.g. job.retry */
                action?: string | null;
                /** @description RFC 3339, with an offset */
                since?: string | null;
                /** @description RFC 3339, with an offset */
                until?: string | null;
                limit?: number;
                cursor?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_queues_v1_queues_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueList"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_workers_v1_workers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkerList"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_tasks_v1_tasks_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskList"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    stats_series_v1_stats_series_get: {
        parameters: {
            query?: {
                minutes?: number;
                queue?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Series"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    dead_letters_v1_dead_letters_get: {
        parameters: {
            query?: {
                queue?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetters"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    events_token_v1_events_token_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventToken"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the request body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    table_health_v1_health_tables_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TablesHealth"];
                };
            };
            /** @description no API key, or one that is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description invalid input: the message names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description rate limited: retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    healthz_healthz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    readyz_readyz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description the database is too busy, out of reach or accepts no writes now: retry after Retry-After seconds (from /readyz: not ready) */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
}
