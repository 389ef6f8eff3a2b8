// Workers: where each runs, what it serves and holds now, and how long ago it was heard
// from; a worker whose heartbeat is older than its lease is marked stale.
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { api, unwrap } from "../api/client";
import type { Worker } from "../api/types";
import { keys } from "../live/applyEvents";
import { ErrorNote, Loading, Page, TableBox } from "../ui/bits";
import { duration, secondsSince, shortId } from "../ui/format";

function heartbeatAge(worker: Worker): number {
  return worker.heartbeat_age_seconds ?? secondsSince(worker.last_heartbeat);
}

export function WorkersView() {
  const workers = useQuery({
    queryKey: keys.workers,
    queryFn: async () => (await unwrap(api.GET("/v1/workers"))).items,
    refetchInterval: 5_000,
  });
  return (
    <Page title="Workers">
      {workers.isPending ? (
        <Loading what="workers" />
      ) : workers.isError ? (
        <ErrorNote error={workers.error} />
      ) : workers.data.length === 0 ? (
        <p className="muted">No worker is running.</p>
      ) : (
        <TableBox label="Workers">
          <table>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Host</th>
                <th scope="col" className="num">PID</th>
                <th scope="col">Queues</th>
                <th scope="col" className="num">Running / concurrency</th>
                <th scope="col">Running jobs</th>
                <th scope="col">Heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {workers.data.map((worker) => (
                <tr key={worker.id} data-stale={Boolean(worker.stale)}>
                  <th scope="row">
                    <code>{worker.id}</code>
                  </th>
                  <td>{worker.host}</td>
                  <td className="num">{worker.pid}</td>
                  <td>{worker.queues?.join(", ") || "all"}</td>
                  <td className="num">
                    {worker.running} / {worker.concurrency}
                  </td>
                  <td>
                    {(worker.running_jobs ?? []).map((id) => (
                      <Link key={id} href={`/jobs/${id}`} className="chip">
                        <code>{shortId(id)}</code>
                      </Link>
                    ))}
                  </td>
                  <td>
                    {duration(heartbeatAge(worker))} ago
                    {worker.stale && <span className="tag stale">⚠ stale</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </Page>
  );
}
