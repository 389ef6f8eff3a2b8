// The overview: every queue at a glance, the last 15 minutes as live charts, and the
// latest failures with their error line.
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { api, listJobs, unwrap } from "../api/client";
import { STATUSES, type QueueInfo, type StatsSeries } from "../api/types";
import { keys } from "../live/applyEvents";
import { ErrorNote, Loading, Page, TableBox } from "../ui/bits";
import { ago, duration, firstLine, shortId } from "../ui/format";
import { StatusBadge } from "../ui/StatusBadge";
import { Chart } from "./Chart";

const WINDOW_MINUTES = 15;

export function useQueues() {
  return useQuery({
    queryKey: keys.queues,
    queryFn: async () => (await unwrap(api.GET("/v1/queues"))).items,
    // Ages grow without any event: refresh now and then as well.
    refetchInterval: 5_000,
  });
}

function QueuesSummary({ queues }: { queues: QueueInfo[] }) {
  if (queues.length === 0) return <p className="muted">No queue has had a job yet.</p>;
  return (
    <TableBox label="Queues">
      <table>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            {STATUSES.map((status) => (
              <th scope="col" key={status} className="num">
                <StatusBadge status={status} />
              </th>
            ))}
            <th scope="col" className="num">
              Oldest waiting
            </th>
          </tr>
        </thead>
        <tbody>
          {queues.map((queue) => (
            <tr key={queue.name}>
              <th scope="row">
                <Link href={`/jobs?queue=${encodeURIComponent(queue.name)}`}>{queue.name}</Link>
                {queue.paused && <span className="tag paused">⏸ paused</span>}
              </th>
              {STATUSES.map((status) => (
                <td key={status} className="num">
                  {queue.counts[status] ?? 0}
                </td>
              ))}
              <td className="num">{duration(queue.oldest_queued_age_seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

function lastValue(values: (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

function Charts({ series }: { series: StatsSeries }) {
  const step = series.step_seconds || 1;
  const x = series.points.map((p) => Date.parse(p.at) / 1000);
  const ok = series.points.map((p) => p.succeeded / step);
  const failed = series.points.map((p) => p.failed / step);
  const pick = (name: keyof StatsSeries["points"][number]) =>
    series.points.map((p) => p[name] as number | null);
  const total = (values: number[]) => values.reduce((a, b) => a + b, 0) * step;
  const waitP95 = lastValue(pick("wait_p95"));
  const runP95 = lastValue(pick("run_p95"));
  return (
    <div className="charts">
      <Chart
        title="Throughput (jobs per second)"
        unit="/s"
        series={[
          { label: "succeeded", colour: "--ok" },
          { label: "failed", colour: "--bad", dash: [6, 4] },
        ]}
        data={[x, ok, failed]}
        summary={`${Math.round(total(ok))} succeeded and ${Math.round(total(failed))} failed in the last ${WINDOW_MINUTES} minutes`}
      />
      <Chart
        title="Wait before running (seconds)"
        unit="s"
        series={[
          { label: "p50", colour: "--chart-1" },
          { label: "p95", colour: "--chart-2", dash: [6, 4] },
          { label: "p99", colour: "--chart-3", dash: [2, 3] },
        ]}
        data={[x, pick("wait_p50"), pick("wait_p95"), pick("wait_p99")]}
        summary={`latest p95 wait ${duration(waitP95)}`}
      />
      <Chart
        title="Run time (seconds)"
        unit="s"
        series={[
          { label: "p50", colour: "--chart-1" },
          { label: "p95", colour: "--chart-2", dash: [6, 4] },
          { label: "p99", colour: "--chart-3", dash: [2, 3] },
        ]}
        data={[x, pick("run_p50"), pick("run_p95"), pick("run_p99")]}
        summary={`latest p95 run time ${duration(runP95)}`}
      />
    </div>
  );
}

function RecentFailures() {
  const failures = useQuery({
    queryKey: keys.failures,
    queryFn: () => listJobs({ status: "failed", limit: 10 }),
  });
  if (failures.isPending) return <Loading what="failures" />;
  if (failures.isError) return <ErrorNote error={failures.error} />;
  if (failures.data.items.length === 0) return <p className="muted">No job has failed for good.</p>;
  return (
    <ul className="failures">
      {failures.data.items.map((job) => (
        <li key={job.id}>
          <StatusBadge status={job.status} /> <Link href={`/jobs/${job.id}`}>{shortId(job.id)}</Link>{" "}
          <strong>{job.type}</strong> <span className="muted">on {job.queue}, {ago(job.finished_at)}</span>
          <code className="error-line">{firstLine(job.last_error)}</code>
        </li>
      ))}
    </ul>
  );
}

export function Overview() {
  const queues = useQueues();
  const series = useQuery({
    queryKey: keys.series,
    queryFn: () => unwrap(api.GET("/v1/stats/series", { params: { query: { minutes: WINDOW_MINUTES } } })),
    refetchInterval: 5_000,
  });
  return (
    <Page title="Overview">
      <h2>Queues</h2>
      {queues.isPending ? <Loading what="queues" /> : queues.isError ? <ErrorNote error={queues.error} /> : <QueuesSummary queues={queues.data} />}
      <h2>Last {WINDOW_MINUTES} minutes</h2>
      {series.isPending ? <Loading what="charts" /> : series.isError ? <ErrorNote error={series.error} /> : <Charts series={series.data} />}
      <h2>Recent failures</h2>
      <RecentFailures />
    </Page>
  );
}
