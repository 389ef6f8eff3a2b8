// Jobs: filters kept in the query string, keyset pages, live statuses, bulk actions.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RowSelectionState } from "@tanstack/react-table";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useLocation, useSearch } from "wouter";
import { api, listJobs, unwrap } from "../api/client";
import { STATUSES, type BulkOut } from "../api/types";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ConfirmButton } from "../ui/Confirm";
import { ErrorNote, Loading, Page, Pager } from "../ui/bits";
import { formatFilters, isJobId, jobsQuery, parseFilters, withFilter, type JobFilters } from "./filters";
import { JobsTable } from "./JobsTable";

export const PAGE_SIZE = 50;

export function fetchJobs(filters: JobFilters) {
  const query = jobsQuery(filters, PAGE_SIZE);
  return listJobs(query);
}

const TEXT_FIELDS = [
  ["queue", "Queue"],
  ["type", "Type"],
  ["tag", "Tag"],
  ["id", "Job id"],
  ["dedupe_key", "Dedupe key"],
] as const;

export function FiltersForm({ filters, onChange }: { filters: JobFilters; onChange: (next: JobFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const badId = Boolean(draft.id && !isJobId(draft.id));
  // What is typed counts as soon as anything is applied (a status chosen too).
  const typed = (): JobFilters => {
    let next: JobFilters = { ...filters };
    for (const [name] of TEXT_FIELDS) {
      if (name !== "id" || !badId) next = withFilter(next, name, draft[name] ?? "");
    }
    return next;
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!badId) onChange(typed());
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filters">
      <label>
        Status
        <select
          value={filters.status ?? ""}
          onChange={(event) => onChange(withFilter(typed(), "status", event.target.value))}
        >
          <option value="">any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      {TEXT_FIELDS.map(([name, label]) => (
        <label key={name}>
          {label}
          <input
            value={draft[name] ?? ""}
            onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
            aria-invalid={name === "id" && badId}
            spellCheck={false}
          />
        </label>
      ))}
      <div className="filter-actions">
        <button type="submit">Apply</button>
        <button type="button" className="link" onClick={() => onChange({})}>
          Clear
        </button>
      </div>
      {badId && (
        <p role="alert" className="error">
          A job id looks like 0f8c2d9e-1b7a-4c55-9a0e-3f1d2c4b5a69.
        </p>
      )}
    </form>
  );
}

function describeBulk(action: string, result: BulkOut): string {
  const skipped = result.skipped.map((s) => `${s.id.slice(0, 8)} (${s.reason})`).join(", ");
  return `${action}: ${result.done.length} done` + (skipped ? `; skipped ${skipped}` : "");
}

function BulkActions({ ids, onDone }: { ids: string[]; onDone: (message: string) => void }) {
  const { canAdmin } = useAuth();
  const client = useQueryClient();
  const run = (action: "retry" | "cancel" | "delete") => async () => {
    const result = await unwrap(api.POST("/v1/jobs/bulk", { body: { action, ids } }));
    await client.invalidateQueries({ queryKey: keys.jobs });
    onDone(describeBulk(action, result));
  };
  const count = `${ids.length} selected job${ids.length === 1 ? "" : "s"}`;
  return (
    <div className="bulk" role="group" aria-label="Bulk actions">
      <span>{count}</span>
      <ConfirmButton label="Retry" question={`Retry ${count}? Only failed and cancelled ones go back to the queue.`} onConfirm={run("retry")} />
      <ConfirmButton label="Cancel" question={`Cancel ${count}? Finished ones are skipped.`} confirmLabel="Cancel jobs" danger onConfirm={run("cancel")} />
      {canAdmin && (
        <ConfirmButton label="Delete" question={`Delete ${count} for good? Running ones are skipped.`} danger onConfirm={run("delete")} />
      )}
    </div>
  );
}

export function JobsView() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const { canWrite } = useAuth();
  const filters = useMemo(() => parseFilters(search), [search]);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [notice, setNotice] = useState<string | null>(null);
  const usable = !filters.id || isJobId(filters.id);
  const jobs = useQuery({
    queryKey: [...keys.jobs, filters],
    queryFn: () => fetchJobs(filters),
    enabled: usable,
    placeholderData: keepPreviousData,
  });
  const go = (next: JobFilters) => {
    setSelection({});
    const query = formatFilters(next);
    navigate(query ? `/jobs?${query}` : "/jobs");
  };
  const selected = Object.keys(selection).filter((id) => selection[id]);
  const nextCursor = jobs.data?.next_cursor;
  return (
    <Page title="Jobs">
      <FiltersForm filters={filters} onChange={go} />
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {canWrite && selected.length > 0 && (
        <BulkActions
          ids={selected}
          onDone={(message) => {
            setSelection({});
            setNotice(message);
          }}
        />
      )}
      {jobs.isPending && usable ? (
        <Loading what="jobs" />
      ) : jobs.isError ? (
        <ErrorNote error={jobs.error} />
      ) : (
        <JobsTable jobs={jobs.data?.items ?? []} selectable={canWrite} selection={selection} onSelection={setSelection} />
      )}
      <Pager cursor={filters.cursor} nextCursor={nextCursor} onPage={(cursor) => go({ ...filters, cursor })} />
    </Page>
  );
}
