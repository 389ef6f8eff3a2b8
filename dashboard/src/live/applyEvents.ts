// What a batch of job events changes in the cached answers: statuses of jobs already on
// screen are patched in place (one cache write per list, so one render per batch), and the
// answers that events can make stale are fetched again.
import type { QueryClient } from "@tanstack/react-query";
import type { JobEvent, JobPage, JobProgress, JobStatus } from "../api/types";

/** The last status of each job in the batch. */
export function latestStatuses(events: readonly JobEvent[]): Map<string, JobStatus> {
  const latest = new Map<string, JobStatus>();
  for (const event of events) latest.set(event.job_id, event.status);
  return latest;
}

/** The last progress reported by each job in the batch. */
export function latestProgress(events: readonly JobEvent[]): Map<string, JobProgress> {
  const latest = new Map<string, JobProgress>();
  for (const event of events) if (event.progress) latest.set(event.job_id, event.progress);
  return latest;
}

/** A page with the statuses (and progress) of `latest` applied; the same object when
 * nothing changed. */
export function patchPage(
  page: JobPage,
  latest: ReadonlyMap<string, JobStatus>,
  progress: ReadonlyMap<string, JobProgress> = new Map(),
): JobPage {
  let changed = false;
  const items = page.items.map((job) => {
    const status = latest.get(job.id);
    const reported = progress.get(job.id);
    if ((status === undefined || status === job.status) && reported === undefined) return job;
    changed = true;
    return { ...job, status: status ?? job.status, ...(reported ? { progress: reported } : {}) };
  });
  return changed ? { ...page, items } : page;
}

/** Query keys the views use, in one place so events know what to refresh. */
export const keys = {
  me: ["me"] as const,
  queues: ["queues"] as const,
  workers: ["workers"] as const,
  tasks: ["tasks"] as const,
  series: ["series"] as const,
  deadLetters: ["dead-letters"] as const,
  failures: ["failures"] as const,
  jobs: ["jobs"] as const,
  audit: ["audit"] as const,
  job: (id: string) => ["job", id] as const,
};

export function applyEvents(client: QueryClient, events: readonly JobEvent[]): void {
  if (events.length === 0) return;
  const latest = latestStatuses(events);
  const progress = latestProgress(events);
  const refresh = { cancelRefetch: false } as const;
  let unseen = false;
  for (const [key, page] of client.getQueriesData<JobPage>({ queryKey: keys.jobs })) {
    if (!page) continue;
    const shown = new Set(page.items.map((job) => job.id));
    const firstPage = (key[1] as { cursor?: string } | undefined)?.cursor === undefined;
    if (firstPage && [...latest.keys()].some((id) => !shown.has(id))) unseen = true;
    const patched = patchPage(page, latest, progress);
    if (patched !== page) client.setQueryData(key, patched);
  }
  // New jobs (or jobs that moved into a filter) belong on first pages: fetch those again.
  if (unseen) void client.invalidateQueries({ queryKey: keys.jobs }, refresh);
  for (const id of latest.keys()) {
    if (client.getQueryData(keys.job(id)) !== undefined) {
      void client.invalidateQueries({ queryKey: keys.job(id) }, refresh);
    }
  }
  for (const key of [keys.queues, keys.workers, keys.deadLetters, keys.failures]) {
    void client.invalidateQueries({ queryKey: key }, refresh);
  }
}
