// The jobs table's filters and page, kept in the address bar's query string so a view can
// be bookmarked, shared and walked back with the browser's buttons.
import type { paths } from "../api/schema";
import { STATUSES, type JobStatus } from "../api/types";

export type JobsQuery = NonNullable<paths["/v1/jobs"]["get"]["parameters"]["query"]>;

export interface JobFilters {
  status?: JobStatus;
  queue?: string;
  type?: string;
  tag?: string;
  id?: string;
  dedupe_key?: string;
  /** The keyset cursor of the page shown; none for the first page. */
  cursor?: string;
}

/** The text filters, in the order of the query string. */
export const TEXT_FILTERS = ["queue", "type", "tag", "id", "dedupe_key"] as const;
type TextFilter = (typeof TEXT_FILTERS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isStatus(value: string): value is JobStatus {
  return (STATUSES as readonly string[]).includes(value);
}

/** The filters a query string names; unknown names and unusable values are left out. */
export function parseFilters(search: string): JobFilters {
  const params = new URLSearchParams(search);
  const filters: JobFilters = {};
  const status = params.get("status");
  if (status && isStatus(status)) filters.status = status;
  for (const name of TEXT_FILTERS) {
    const value = params.get(name)?.trim();
    if (value) filters[name] = value;
  }
  const cursor = params.get("cursor");
  if (cursor && UUID.test(cursor)) filters.cursor = cursor;
  return filters;
}

/** The query string of `filters` (without "?"), in a fixed order; empty values are left out. */
export function formatFilters(filters: JobFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  for (const name of TEXT_FILTERS) {
    const value = filters[name]?.trim();
    if (value) params.set(name, value);
  }
  if (filters.cursor) params.set("cursor", filters.cursor);
  return params.toString();
}

/** `filters` with one filter changed; any change of filter goes back to the first page. */
export function withFilter(
  filters: JobFilters,
  name: TextFilter | "status",
  value: string,
): JobFilters {
  const next: JobFilters = { ...filters, [name]: value.trim() || undefined };
  delete next.cursor;
  if (name === "status" && !isStatus(value)) delete next.status;
  return next;
}

/** Whether `value` is a UUID (job ids and keyset cursors are). */
export function isUuid(value: string): boolean {
  return UUID.test(value.trim());
}

/** Whether a job id filter is well formed (the API refuses others). */
export const isJobId = isUuid;

/** The query of GET /v1/jobs for these filters. */
export function jobsQuery(filters: JobFilters, limit: number): JobsQuery {
  const query: JobsQuery = { limit };
  if (filters.status) query.status = filters.status;
  for (const name of TEXT_FILTERS) {
    const value = filters[name];
    if (value) query[name] = value;
  }
  if (filters.cursor) query.cursor = filters.cursor;
  return query;
}
