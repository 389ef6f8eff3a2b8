// A job's life as a list of dated steps, from what the job and its attempts record.
import type { JobDetail } from "../api/types";

export interface Step {
  at: string;
  label: string;
  detail?: string;
}

/** The steps of `job`, oldest first. */
export function timeline(job: JobDetail): Step[] {
  const steps: Step[] = [{ at: job.created_at, label: "enqueued", detail: `on ${job.queue}` }];
  if (Date.parse(job.scheduled_at) > Date.parse(job.created_at) + 1000) {
    steps.push({ at: job.scheduled_at, label: "due" });
  }
  for (const attempt of job.attempt_history) {
    if (attempt.started_at) {
      const worker = attempt.worker ? ` on ${attempt.worker}` : "";
      steps.push({ at: attempt.started_at, label: `attempt ${attempt.number} started`, detail: worker.trim() });
    }
    if (attempt.finished_at) {
      steps.push({ at: attempt.finished_at, label: `attempt ${attempt.number} ${attempt.outcome}` });
    }
  }
  if (job.finished_at) steps.push({ at: job.finished_at, label: job.status });
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
