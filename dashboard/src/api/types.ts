// Names for the API's shapes, all from the generated schema.
import type { components } from "./schema";

type Schemas = components["schemas"];
export type Job = Schemas["JobOut"];
export type JobDetail = Schemas["JobDetail"];
export type JobStatus = Schemas["JobStatus"];
export type QueueInfo = Schemas["QueueOut"];
export type Task = Schemas["TaskOut"];
export type Attempt = Schemas["AttemptOut"];
export type JobRequest = Schemas["JobIn"];
export type Worker = Schemas["WorkerOut"];
export type BulkOut = Schemas["BulkOut"];
export type DeadLetterGroup = Schemas["DeadLetterGroupOut"];
export type DeadLetters = Schemas["DeadLetters"];
export type Me = Schemas["Me"];
export type SeriesPoint = Schemas["SeriesPoint"];
export type StatsSeries = Schemas["Series"];
export type AuditRecord = Schemas["AuditOut"];
export type AuditPage = Schemas["AuditPage"];
export type Schedule = Schemas["ScheduleOut"];
export type JobProgress = Schemas["ProgressOut"];

/** What the lists of jobs show of each job. A page of jobs carries only the fields asked
 * for (`fields=`; payload and result never unless asked), so every list asks for these. */
export const LISTED_FIELDS = [
  "type",
  "queue",
  "status",
  "attempts",
  "max_attempts",
  "created_at",
  "finished_at",
  "last_error",
  "progress",
] as const;
/** A job on a list: the fields asked for are all there (null only where the job's is). */
export type ListedJob = Pick<Job, "id" | (typeof LISTED_FIELDS)[number]>;
export interface JobPage {
  items: ListedJob[];
  next_cursor: string | null;
}

/** Every status, in the order of a job's life. */
export const STATUSES: readonly JobStatus[] = [
  "scheduled",
  "queued",
  "running",
  "retrying",
  "succeeded",
  "failed",
  "cancelled",
];

/** Statuses a job never leaves by itself. */
export const FINISHED: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

/** One change of a job, as the events socket sends it. */
export interface JobEvent {
  job_id: string;
  type: string;
  queue: string;
  status: JobStatus;
  at: string;
  /** Present on a progress report (its status is then `running`). */
  progress?: JobProgress;
}
