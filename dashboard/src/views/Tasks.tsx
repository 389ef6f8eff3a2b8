// Tasks: the registry workers reported, with each task's defaults.
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { api, unwrap } from "../api/client";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ErrorNote, Loading, Page, TableBox } from "../ui/bits";
import { ago, duration } from "../ui/format";

export function useTasks() {
  return useQuery({
    queryKey: keys.tasks,
    queryFn: async () => (await unwrap(api.GET("/v1/tasks"))).items,
    staleTime: 30_000,
  });
}

export function TasksView() {
  const { canWrite } = useAuth();
  const tasks = useTasks();
  return (
    <Page title="Tasks">
      {tasks.isPending ? (
        <Loading what="tasks" />
      ) : tasks.isError ? (
        <ErrorNote error={tasks.error} />
      ) : tasks.data.length === 0 ? (
        <p className="muted">No worker has registered a task yet.</p>
      ) : (
        <TableBox label="Tasks">
          <table>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Queue</th>
                <th scope="col" className="num">Priority</th>
                <th scope="col" className="num">Max attempts</th>
                <th scope="col" className="num">Timeout</th>
                <th scope="col">Last seen</th>
                {canWrite && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {tasks.data.map((task) => (
                <tr key={task.name}>
                  <th scope="row">
                    <Link href={`/jobs?type=${encodeURIComponent(task.name)}`}>{task.name}</Link>
                  </th>
                  <td>{task.queue}</td>
                  <td className="num">{task.priority}</td>
                  <td className="num">{task.max_attempts}</td>
                  <td className="num">{task.timeout === null ? "none" : duration(task.timeout)}</td>
                  <td>{ago(task.last_seen)}</td>
                  {canWrite && (
                    <td>
                      <Link href={`/enqueue?type=${encodeURIComponent(task.name)}`}>Enqueue…</Link>
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
