// Queues: counts, the paused flag, fleet-wide limits, and pause / resume (also of a queue not seen yet, so it
// can be held before its first job arrives).
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "wouter";
import { api, messageOf, unwrap } from "../api/client";
import type { QueueInfo } from "../api/types";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ErrorNote, Loading, Page, TableBox } from "../ui/bits";
import { duration } from "../ui/format";
import { useQueues } from "./Overview";
import { LimitsEditor, describeLimits, useQueueLimits } from "./QueueLimits";

function usePause() {
  const client = useQueryClient();
  return async (name: string, paused: boolean) => {
    const path = { params: { path: { name } } };
    if (paused) await unwrap(api.POST("/v1/queues/{name}/pause", path));
    else await unwrap(api.POST("/v1/queues/{name}/resume", path));
    await client.invalidateQueries({ queryKey: keys.queues });
  };
}

function PauseButton({ queue }: { queue: QueueInfo }) {
  const setPaused = usePause();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await setPaused(queue.name, !queue.paused);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={toggle} disabled={busy} aria-label={`${queue.paused ? "Resume" : "Pause"} ${queue.name}`}>
        {queue.paused ? "▶ Resume" : "⏸ Pause"}
      </button>
      {error && <span role="alert" className="error">{error}</span>}
    </>
  );
}

function PauseByName() {
  const setPaused = usePause();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await setPaused(name.trim(), true);
      setName("");
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <label>
        Pause a queue by name
        <input value={name} onChange={(event) => setName(event.target.value)} required spellCheck={false} />
      </label>
      <button type="submit">Pause</button>
      {error && <span role="alert" className="error">{error}</span>}
    </form>
  );
}

export function QueuesView() {
  const { canAdmin } = useAuth();
  const queues = useQueues();
  const limits = useQueueLimits();
  const [editing, setEditing] = useState("");
  return (
    <Page title="Queues">
      {queues.isPending ? (
        <Loading what="queues" />
      ) : queues.isError ? (
        <ErrorNote error={queues.error} />
      ) : queues.data.length === 0 ? (
        <p className="muted">No queue has had a job yet.</p>
      ) : (
        <TableBox label="Queues">
          <table>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">State</th>
                <th scope="col" className="num">Waiting</th>
                <th scope="col" className="num">Running</th>
                <th scope="col" className="num">Failed</th>
                <th scope="col" className="num">Oldest waiting</th>
                <th scope="col" className="num">Done / s</th>
                <th scope="col">Limits</th>
                {canAdmin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {queues.data.map((queue) => {
                const waiting = (queue.counts.queued ?? 0) + (queue.counts.scheduled ?? 0) + (queue.counts.retrying ?? 0);
                return (
                  <tr key={queue.name} data-queue={queue.name} data-paused={queue.paused}>
                    <th scope="row">
                      <Link href={`/jobs?queue=${encodeURIComponent(queue.name)}`}>{queue.name}</Link>
                    </th>
                    <td>{queue.paused ? <span className="tag paused">⏸ paused</span> : <span className="tag">▶ active</span>}</td>
                    <td className="num">{waiting}</td>
                    <td className="num">{queue.counts.running ?? 0}</td>
                    <td className="num">{queue.counts.failed ?? 0}</td>
                    <td className="num">{duration(queue.oldest_queued_age_seconds)}</td>
                    <td className="num">{queue.completed_per_second.toFixed(2)}</td>
                    <td data-limits={queue.name}>{describeLimits(limits.data?.get(queue.name))}</td>
                    {canAdmin && (
                      <td>
                        <PauseButton queue={queue} />
                        <button type="button" onClick={() => setEditing(queue.name)} aria-label={`Edit the limits of ${queue.name}`}>
                          Limits…
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableBox>
      )}
      {canAdmin && <PauseByName />}
      {canAdmin && <LimitsEditor key={editing} queue={editing} limits={limits.data?.get(editing)} />}
    </Page>
  );
}
