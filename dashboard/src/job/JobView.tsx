// One job: status (live), payload and result, its timeline, every attempt with its full
// traceback, and the actions its status allows, each confirmed first.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { api, unwrap } from "../api/client";
import { FINISHED, type Attempt, type JobDetail } from "../api/types";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ConfirmButton } from "../ui/Confirm";
import { ErrorNote, Json, Loading, Page, TableBox } from "../ui/bits";
import { between, duration, when } from "../ui/format";
import { currentProgress, ProgressBar } from "../ui/ProgressBar";
import { StatusBadge } from "../ui/StatusBadge";
import { timeline } from "./timeline";

function Actions({ job }: { job: JobDetail }) {
  const { canWrite, canAdmin } = useAuth();
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const path = { params: { path: { job_id: job.id } } };
  const refresh = () => client.invalidateQueries({ queryKey: keys.job(job.id) });
  if (!canWrite) return null;
  const retryable = job.status === "failed" || job.status === "cancelled";
  const cancellable = !FINISHED.has(job.status) && !job.cancel_requested;
  return (
    <div className="actions" role="group" aria-label="Job actions">
      {retryable && (
        <ConfirmButton
          label="Retry"
          question="Send this job back to its queue? Its attempt history is kept."
          onConfirm={async () => {
            await unwrap(api.POST("/v1/jobs/{job_id}/retry", path));
            await refresh();
          }}
        />
      )}
      {cancellable && (
        <ConfirmButton
          label="Cancel"
          confirmLabel="Cancel job"
          danger
          question={
            job.status === "running"
              ? "Cancel this running job? Its worker stops it at its next heartbeat."
              : "Cancel this job? It will not run."
          }
          onConfirm={async () => {
            await unwrap(api.POST("/v1/jobs/{job_id}/cancel", path));
            await refresh();
          }}
        />
      )}
      {canAdmin && job.status !== "running" && (
        <ConfirmButton
          label="Delete"
          danger
          question="Delete this job and its history for good?"
          onConfirm={async () => {
            await unwrap(api.DELETE("/v1/jobs/{job_id}", path));
            client.removeQueries({ queryKey: keys.job(job.id) });
            navigate("/jobs");
          }}
        />
      )}
    </div>
  );
}

function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p className="muted">Not run yet.</p>;
  return (
    <ol className="attempts">
      {attempts.map((attempt) => (
        <li key={attempt.number} data-outcome={attempt.outcome}>
          <div className="attempt-head">
            <strong>Attempt {attempt.number}</strong>
            <span>{attempt.outcome}</span>
            <span>worker {attempt.worker ?? "—"}</span>
            <span>started {when(attempt.started_at)}</span>
            <span>took {duration(between(attempt.started_at, attempt.finished_at))}</span>
          </div>
          {attempt.error && (
            <details open={attempt === attempts[attempts.length - 1]}>
              <summary>Traceback</summary>
              <pre className="traceback" tabIndex={0}>
                {attempt.error}
              </pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}

// Chains and chords (docs/chains.md): the job that enqueued this one, the chord it
// belongs to, and the follow-ups its outcome enqueues. Shown only when there are any.
function links(job: JobDetail): [string, ReactNode][] {
  const found: [string, ReactNode][] = [];
  if (job.parent_id) {
    found.push(["Parent", <Link href={`/jobs/${job.parent_id}`}>{job.parent_id}</Link>]);
  }
  if (job.chord_id) found.push(["Chord", <code>{job.chord_id}</code>]);
  const followUps = job.follow_ups ?? {};
  const outcomes = [
    ["on_success", "On success"],
    ["on_failure", "On failure"],
  ] as const;
  for (const [outcome, label] of outcomes) {
    const spec = followUps[outcome] as { task?: string } | undefined;
    if (spec?.task) found.push([label, spec.task]);
  }
  return found;
}

function Facts({ job }: { job: JobDetail }) {
  const facts: [string, ReactNode][] = [
    ["Type", job.type],
    ["Queue", <Link href={`/jobs?queue=${encodeURIComponent(job.queue)}`}>{job.queue}</Link>],
    ["Priority", job.priority],
    ["Attempts", `${job.attempts} of ${job.max_attempts}`],
    ["Created", when(job.created_at)],
    ["Runs at", when(job.scheduled_at)],
    ["Started", when(job.started_at)],
    ["Finished", when(job.finished_at)],
    ["Dedupe key", job.dedupe_key ?? "—"],
    ["Tags", job.tags.length ? job.tags.join(", ") : "—"],
    ...links(job),
  ];
  return (
    <dl className="facts">
      {facts.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function JobView({ id }: { id: string }) {
  const job = useQuery({
    queryKey: keys.job(id),
    queryFn: () => unwrap(api.GET("/v1/jobs/{job_id}", { params: { path: { job_id: id } } })),
  });
  if (job.isPending) return <Loading what="the job" />;
  if (job.isError) return <ErrorNote error={job.error} />;
  const detail = job.data;
  const progress = currentProgress(detail.progress, detail.attempts);
  return (
    <Page title={`Job ${detail.type}`} actions={<Actions job={detail} />}>
      <p className="job-status">
        <code className="job-id">{detail.id}</code> <StatusBadge status={detail.status} />
        {detail.cancel_requested && !FINISHED.has(detail.status) && <span className="tag">cancel requested</span>}
        {progress && <ProgressBar progress={progress} />}
      </p>
      <Facts job={detail} />
      {detail.last_error && (
        <p className="error-line">
          Last error: <code>{detail.last_error}</code>
        </p>
      )}
      <div className="two">
        <div>
          <h2>Payload</h2>
          <Json value={detail.payload} label="Payload" />
        </div>
        <div>
          <h2>Result</h2>
          <Json value={detail.status === "succeeded" ? detail.result : undefined} label="Result" />
        </div>
      </div>
      <h2>Timeline</h2>
      <TableBox label="Timeline">
        <ol className="timeline">
          {timeline(detail).map((step, index) => (
            <li key={index}>
              <time dateTime={step.at}>{when(step.at)}</time> <strong>{step.label}</strong>{" "}
              {step.detail && <span className="muted">{step.detail}</span>}
            </li>
          ))}
        </ol>
      </TableBox>
      <h2>Attempts</h2>
      <Attempts attempts={detail.attempt_history} />
    </Page>
  );
}
