// Dead letters: jobs that failed for good, grouped by type and error line. Replay one job,
// a selection, a whole group, or all of them; each after a confirmation naming the count.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { api, listJobs, unwrap } from "../api/client";
import type { DeadLetterGroup } from "../api/types";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ConfirmButton } from "../ui/Confirm";
import { ErrorNote, Loading, Page } from "../ui/bits";
import { ago, firstLine, shortId, when } from "../ui/format";

/** Jobs of a group shown at once (the API's page size is larger; a group may be too). */
const GROUP_PAGE = 100;

function useRefreshAfterReplay() {
  const client = useQueryClient();
  return async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: keys.deadLetters }),
      client.invalidateQueries({ queryKey: ["dead-letter-jobs"] }),
      client.invalidateQueries({ queryKey: keys.jobs }),
    ]);
  };
}

function Traceback({ id }: { id: string }) {
  const job = useQuery({
    queryKey: keys.job(id),
    queryFn: () => unwrap(api.GET("/v1/jobs/{job_id}", { params: { path: { job_id: id } } })),
  });
  if (job.isPending) return <Loading what="the traceback" />;
  if (job.isError) return <ErrorNote error={job.error} />;
  const last = job.data.attempt_history[job.data.attempt_history.length - 1];
  return (
    <pre className="traceback" tabIndex={0}>
      {last?.error ?? job.data.last_error ?? "no error recorded"}
    </pre>
  );
}

/** Says what a replay did; shown by the page, since a replayed group leaves the list. */
type Tell = (message: string) => void;

function plural(count: number, what: string): string {
  return `${count} ${what}${count === 1 ? "" : "s"}`;
}

function GroupJobs({ group, tell }: { group: DeadLetterGroup; tell: Tell }) {
  const { canWrite } = useAuth();
  const refresh = useRefreshAfterReplay();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const jobs = useQuery({
    queryKey: ["dead-letter-jobs", group.type, group.error],
    queryFn: async () => {
      const page = await listJobs({ status: "failed", type: group.type, limit: GROUP_PAGE });
      return page.items.filter((job) => firstLine(job.last_error) === group.error);
    },
  });
  if (jobs.isPending) return <Loading what="the group's jobs" />;
  if (jobs.isError) return <ErrorNote error={jobs.error} />;
  const replay = async (ids: string[]) => {
    const result = await unwrap(api.POST("/v1/jobs/bulk", { body: { action: "retry", ids } }));
    setChosen(new Set());
    const skipped = result.skipped[0];
    tell(`Replayed ${plural(result.done.length, "job")}` + (skipped ? `; ${result.skipped.length} skipped (${skipped.reason})` : ""));
    await refresh();
  };
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  return (
    <div className="group-jobs">
      {canWrite && chosen.size > 0 && (
        <ConfirmButton
          label={`Replay ${chosen.size} selected`}
          question={`Replay ${chosen.size} selected job${chosen.size === 1 ? "" : "s"}?`}
          confirmLabel="Replay"
          onConfirm={() => replay([...chosen])}
        />
      )}
      <ul>
        {jobs.data.map((job) => (
          <li key={job.id} data-job={job.id}>
            <div className="row">
              {canWrite && (
                <input
                  type="checkbox"
                  aria-label={`Select job ${job.id}`}
                  checked={chosen.has(job.id)}
                  onChange={() => toggle(job.id)}
                />
              )}
              <Link href={`/jobs/${job.id}`}>
                <code>{shortId(job.id)}</code>
              </Link>
              <span className="muted">
                on {job.queue}, failed {ago(job.finished_at)}, {job.attempts} attempts
              </span>
              <button
                type="button"
                className="link"
                aria-expanded={open === job.id}
                onClick={() => setOpen(open === job.id ? null : job.id)}
              >
                {open === job.id ? "Hide traceback" : "Show traceback"}
              </button>
              {canWrite && (
                <ConfirmButton label="Replay" question="Replay this job?" onConfirm={() => replay([job.id])} />
              )}
            </div>
            {open === job.id && <Traceback id={job.id} />}
          </li>
        ))}
      </ul>
      {jobs.data.length >= GROUP_PAGE && <p className="muted">Showing the newest {GROUP_PAGE}.</p>}
    </div>
  );
}

function Group({ group, tell }: { group: DeadLetterGroup; tell: Tell }) {
  const { canAdmin } = useAuth();
  const refresh = useRefreshAfterReplay();
  const [expanded, setExpanded] = useState(false);
  const replayGroup = async () => {
    const { replayed } = await unwrap(
      api.POST("/v1/replay-dlq", {
        params: { query: { type: group.type, error: group.error, limit: group.count } },
      }),
    );
    tell(`Replayed ${plural(replayed, "job")}`);
    await refresh();
  };
  return (
    <li className="group" data-type={group.type}>
      <div className="group-head">
        <span className="count" aria-label={`${group.count} jobs`}>
          {group.count}×
        </span>
        <strong>{group.type}</strong>
        <code className="error-line">{group.error}</code>
        <span className="muted">
          on {group.queues.join(", ")}; first {when(group.first_failed_at)}, last {ago(group.last_failed_at)}
        </span>
        <div className="group-actions">
          <button type="button" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
            {expanded ? "Hide jobs" : "Show jobs"}
          </button>
          {canAdmin && (
            <ConfirmButton
              label="Replay group"
              question={`Replay the ${group.count} ${group.type} job${group.count === 1 ? "" : "s"} failing with “${group.error}”?`}
              confirmLabel={`Replay ${group.count}`}
              onConfirm={replayGroup}
            />
          )}
        </div>
      </div>
      {expanded && <GroupJobs group={group} tell={tell} />}
    </li>
  );
}

export function DeadLettersView() {
  const { canAdmin } = useAuth();
  const refresh = useRefreshAfterReplay();
  const [notice, setNotice] = useState<string | null>(null);
  const letters = useQuery({
    queryKey: keys.deadLetters,
    queryFn: () => unwrap(api.GET("/v1/dead-letters")),
  });
  const total = letters.data?.total ?? 0;
  const replayAll = async () => {
    const { replayed } = await unwrap(api.POST("/v1/replay-dlq", { params: { query: { limit: Math.max(1, total) } } }));
    setNotice(`Replayed ${plural(replayed, "job")}`);
    await refresh();
  };
  return (
    <Page
      title="Dead letters"
      actions={
        canAdmin &&
        total > 0 && (
          <ConfirmButton
            label="Replay all"
            question={`Replay all ${total} failed job${total === 1 ? "" : "s"}? They go back to their queues with their history kept.`}
            confirmLabel={`Replay ${total}`}
            onConfirm={replayAll}
          />
        )
      }
    >
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {letters.isPending ? (
        <Loading what="dead letters" />
      ) : letters.isError ? (
        <ErrorNote error={letters.error} />
      ) : letters.data.groups.length === 0 ? (
        <p className="muted">No job has failed for good.</p>
      ) : (
        <>
          <p>
            {total} job{total === 1 ? "" : "s"} failed for good, in {letters.data.groups.length} group
            {letters.data.groups.length === 1 ? "" : "s"} by type and error.
          </p>
          <ul className="groups">
            {letters.data.groups.map((group) => (
              <Group key={`${group.type}\u0000${group.error}`} group={group} tell={setNotice} />
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
