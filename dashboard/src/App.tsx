// The dashboard: sign-in gate, live connection, navigation and the views.
import { Logo } from "./ui/Logo";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Link, Route, Router, Switch, useLocation } from "wouter";
import { AuditView } from "./audit/AuditView";
import { AuthGate, useAuth } from "./auth/Auth";
import { EnqueueView } from "./enqueue/EnqueueView";
import { JobView } from "./job/JobView";
import { JobsView } from "./jobs/JobsView";
import { ConnectionIndicator } from "./live/Indicator";
import { LiveProvider } from "./live/LiveProvider";
import { DeadLettersView } from "./views/DeadLetters";
import { Overview } from "./views/Overview";
import { QueuesView } from "./views/Queues";
import { SchedulesView } from "./views/Schedules";
import { TasksView } from "./views/Tasks";
import { WorkersView } from "./views/Workers";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: 1, staleTime: 2_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

const NAV = [
  ["/", "Overview"],
  ["/jobs", "Jobs"],
  ["/dead-letters", "Dead letters"],
  ["/queues", "Queues"],
  ["/workers", "Workers"],
  ["/tasks", "Tasks"],
  ["/schedules", "Schedules"],
] as const;

function Nav() {
  const [location] = useLocation();
  const { canWrite, canAdmin } = useAuth();
  const items: (readonly [string, string])[] = [...NAV];
  if (canWrite) items.push(["/enqueue", "Enqueue"]);
  // The trail is readable by admin keys only: others would find an empty view.
  if (canAdmin) items.push(["/audit", "Audit"]);
  return (
    <nav aria-label="Views">
      <ul>
        {items.map(([href, label]) => {
          const current = href === "/" ? location === "/" : location.startsWith(href);
          return (
            <li key={href}>
              <Link href={href} aria-current={current ? "page" : undefined}>
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function Shell() {
  const { me, signOut } = useAuth();
  const scope = me.can_admin ? "admin" : me.can_write ? "write" : "read only";
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          <Logo />{" "}
          equeue
        </Link>
        <Nav />
        <div className="top-right">
          <ConnectionIndicator />
          <span className="scope" title={me.key_id ? `key ${me.key_id}` : undefined}>
            {scope}
          </span>
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={Overview} />
          <Route path="/jobs" component={JobsView} />
          <Route path="/jobs/:id">{(params) => <JobView id={params.id} />}</Route>
          <Route path="/dead-letters" component={DeadLettersView} />
          <Route path="/queues" component={QueuesView} />
          <Route path="/workers" component={WorkersView} />
          <Route path="/tasks" component={TasksView} />
          <Route path="/schedules" component={SchedulesView} />
          <Route path="/enqueue" component={EnqueueView} />
          <Route path="/audit" component={AuditView} />
          <Route path="/sign-in" component={Overview} />
          <Route>
            <p>
              No such page. <Link href="/">Go to the overview</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </div>
  );
}

export function App({ client, code }: { client: QueryClient; code: string | null }) {
  return (
    <QueryClientProvider client={client}>
      <Router base="/dashboard">
        <AuthGate code={code}>
          <LiveProvider>
            <Shell />
          </LiveProvider>
        </AuthGate>
      </Router>
    </QueryClientProvider>
  );
}
