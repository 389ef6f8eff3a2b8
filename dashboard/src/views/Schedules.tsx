// Schedules of periodic jobs: each with its cron expression, time zone, next and last run
// and paused flag; admin keys pause and resume them (docs/periodic.md).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { api, messageOf, unwrap } from "../api/client";
import type { Schedule } from "../api/types";
import { useAuth } from "../auth/Auth";
import { ErrorNote, Loading, Page, TableBox } from "../ui/bits";
import { shortId, when } from "../ui/format";

const SCHEDULES = ["schedules"] as const;

export function useSchedules() {
  return useQuery({
    queryKey: SCHEDULES,
    queryFn: async () => (await unwrap(api.GET("/v1/schedules"))).items,
    // The next run moves on every tick: read again while the view is open.
    refetchInterval: 5_000,
  });
}

function PauseButton({ schedule }: { schedule: Schedule }) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    const path = { params: { path: { name: schedule.name } } };
    try {
      if (schedule.paused) await unwrap(api.POST("/v1/schedules/{name}/resume", path));
      else await unwrap(api.POST("/v1/schedules/{name}/pause", path));
      await client.invalidateQueries({ queryKey: SCHEDULES });
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };
  const verb = schedule.paused ? "Resume" : "Pause";
  return (
    <>
      <button type="button" onClick={toggle} disabled={busy} aria-label={`${verb} ${schedule.name}`}>
        {schedule.paused ? "▶ Resume" : "⏸ Pause"}
      </button>
      {error && <span role="alert" className="error">{error}</span>}
    </>
  );
}

export function SchedulesView() {
  const { canAdmin } = useAuth();
  const schedules = useSchedules();
  return (
    <Page title="Schedules">
      {schedules.isPending ? (
        <Loading what="schedules" />
      ) : schedules.isError ? (
        <ErrorNote error={schedules.error} />
      ) : schedules.data.length === 0 ? (
        <p className="muted">No schedule yet: define one with @queue.periodic or POST /v1/schedules.</p>
      ) : (
        <TableBox label="Schedules">
          <table>
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">Task</th>
                <th scope="col">Cron</th>
                <th scope="col">Time zone</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">State</th>
                {canAdmin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((schedule) => (
                <tr key={schedule.name} data-schedule={schedule.name} data-paused={schedule.paused}>
                  <th scope="row">
                    <Link href={`/jobs?tag=${encodeURIComponent(`schedule:${schedule.name}`)}`}>{schedule.name}</Link>
                  </th>
                  <td>{schedule.task}</td>
                  <td>
                    <code>{schedule.cron}</code>
                  </td>
                  <td>{schedule.timezone}</td>
                  <td>
                    <time dateTime={schedule.next_run_at}>{when(schedule.next_run_at)}</time>
                  </td>
                  <td>
                    {schedule.last_run_at && schedule.last_job_id ? (
                      <Link href={`/jobs/${schedule.last_job_id}`} aria-label={`Job ${shortId(schedule.last_job_id)} of the last run`}>
                        <time dateTime={schedule.last_run_at}>{when(schedule.last_run_at)}</time>
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>{schedule.paused ? <span className="tag paused">⏸ paused</span> : <span className="tag">▶ active</span>}</td>
                  {canAdmin && (
                    <td>
                      <PauseButton schedule={schedule} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </Page>
  );
}
