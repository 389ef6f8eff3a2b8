// The audit trail (admin keys only): who did what, to which jobs, when and from where;
// filters and the page kept in the query string, keyset pages like the jobs view.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { api, unwrap } from "../api/client";
import type { AuditRecord } from "../api/types";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ErrorNote, Loading, Page, Pager, TableBox } from "../ui/bits";
import { ago, shortId, when } from "../ui/format";
import {
  ACTIONS,
  actorLabel,
  auditQuery,
  formatAuditFilters,
  jobCount,
  parseAuditFilters,
  targetText,
  type AuditFilters,
} from "./filters";

export const PAGE_SIZE = 50;
/** Jobs named in a cell before the rest are only counted. */
const JOBS_SHOWN = 3;

function AuditFiltersForm({ filters, onChange }: { filters: AuditFilters; onChange: (next: AuditFilters) => void }) {
  const [actor, setActor] = useState(filters.actor ?? "");
  useEffect(() => setActor(filters.actor ?? ""), [filters.actor]);
  // Any change of filter goes back to the first page; what is typed counts as well.
  const apply = (change: AuditFilters) => onChange({ actor: actor.trim() || undefined, action: filters.action, ...change });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({});
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filters">
      <label>
        Actor (key id, env or cli)
        <input value={actor} onChange={(event) => setActor(event.target.value)} spellCheck={false} />
      </label>
      <label>
        Action
        <select value={filters.action ?? ""} onChange={(event) => apply({ action: event.target.value || undefined })}>
          <option value="">any</option>
          {ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </label>
      <div className="filter-actions">
        <button type="submit">Apply</button>
        <button type="button" className="link" onClick={() => onChange({})}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** The jobs an action named (as links to them), its target and how many jobs it changed. */
export function AuditWhat({ record }: { record: AuditRecord }) {
  const target = targetText(record.target);
  const more = record.job_ids.length - JOBS_SHOWN;
  return (
    <div className="audit-what">
      {record.job_ids.slice(0, JOBS_SHOWN).map((id) => (
        <Link key={id} href={`/jobs/${id}`} title={id}>
          <code>{shortId(id)}</code>
        </Link>
      ))}
      {more > 0 && <span className="muted">and {more} more</span>}
      {target && <code className="audit-target">{target}</code>}
      {record.affected !== null && <span>{jobCount(record.affected)}</span>}
    </div>
  );
}

function AuditRow({ record }: { record: AuditRecord }) {
  return (
    <tr data-audit={record.id} data-action={record.action}>
      <td>
        <time dateTime={record.at} title={when(record.at)}>
          {ago(record.at)}
        </time>
      </td>
      <td>
        <Link href={`/audit?${formatAuditFilters({ actor: record.actor })}`} title={`actions of ${record.actor}`}>
          {actorLabel(record)}
        </Link>
      </td>
      <td>
        <code>{record.action}</code>
      </td>
      <td className="col-what">
        <AuditWhat record={record} />
      </td>
      <td>{record.source}</td>
    </tr>
  );
}

function AuditTable({ records }: { records: AuditRecord[] }) {
  if (records.length === 0) return <p className="muted">No action matches.</p>;
  return (
    <TableBox label="Audit trail">
      <table className="audit">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">What</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {records.map((record) => (
            <AuditRow key={record.id} record={record} />
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

export function AuditView() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const { canAdmin } = useAuth();
  const filters = useMemo(() => parseAuditFilters(search), [search]);
  const audit = useQuery({
    queryKey: [...keys.audit, filters],
    queryFn: () => unwrap(api.GET("/v1/audit", { params: { query: auditQuery(filters, PAGE_SIZE) } })),
    enabled: canAdmin,
    placeholderData: keepPreviousData,
  });
  if (!canAdmin) {
    return (
      <Page title="Audit">
        <p className="notice">The audit trail needs an admin key: sign in with one to see it.</p>
      </Page>
    );
  }
  const go = (next: AuditFilters) => {
    const query = formatAuditFilters(next);
    navigate(query ? `/audit?${query}` : "/audit");
  };
  return (
    <Page title="Audit">
      <AuditFiltersForm filters={filters} onChange={go} />
      {audit.isPending ? (
        <Loading what="the audit trail" />
      ) : audit.isError ? (
        <ErrorNote error={audit.error} />
      ) : (
        <AuditTable records={audit.data.items} />
      )}
      <Pager cursor={filters.cursor} nextCursor={audit.data?.next_cursor} onPage={(cursor) => go({ ...filters, cursor })} />
    </Page>
  );
}
