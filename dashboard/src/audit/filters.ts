// The audit trail's filters and page, kept in the query string like the jobs view's, and
// how a record's "who" and "what" read in a table cell.
import type { paths } from "../api/schema";
import type { AuditRecord } from "../api/types";
import { isUuid } from "../jobs/filters";

export type AuditQuery = NonNullable<paths["/v1/audit"]["get"]["parameters"]["query"]>;

/** Every action the server records (equeue.audit.Action), in the order of its docs. */
export const ACTIONS = [
  "job.cancel",
  "job.retry",
  "job.delete",
  "jobs.purge",
  "jobs.replay",
  "queue.pause",
  "queue.resume",
  "queue.limits",
  "key.create",
  "key.revoke",
  "schedule.create",
  "schedule.update",
  "schedule.pause",
  "schedule.resume",
  "schedule.delete",
] as const;

/** The actor id of the command line's actions. */
export const COMMAND_LINE = "cli";

export interface AuditFilters {
  /** An actor's id: a key's id, `env` or `cli`. */
  actor?: string;
  action?: string;
  /** The keyset cursor of the page shown; none for the first page. */
  cursor?: string;
}

function isAction(value: string): boolean {
  return (ACTIONS as readonly string[]).includes(value);
}

/** The filters a query string names; unknown names and unusable values are left out. */
export function parseAuditFilters(search: string): AuditFilters {
  const params = new URLSearchParams(search);
  const filters: AuditFilters = {};
  const actor = params.get("actor")?.trim();
  if (actor) filters.actor = actor;
  const action = params.get("action");
  if (action && isAction(action)) filters.action = action;
  const cursor = params.get("cursor")?.trim();
  if (cursor && isUuid(cursor)) filters.cursor = cursor;
  return filters;
}

/** The query string of `filters` (without "?"), in a fixed order; empty values left out. */
export function formatAuditFilters(filters: AuditFilters): string {
  const params = new URLSearchParams();
  const actor = filters.actor?.trim();
  if (actor) params.set("actor", actor);
  if (filters.action) params.set("action", filters.action);
  if (filters.cursor) params.set("cursor", filters.cursor);
  return params.toString();
}

/** The query of GET /v1/audit for these filters. */
export function auditQuery(filters: AuditFilters, limit: number): AuditQuery {
  const query: AuditQuery = { limit };
  if (filters.actor) query.actor = filters.actor;
  if (filters.action) query.action = filters.action;
  if (filters.cursor) query.cursor = filters.cursor;
  return query;
}

/** Who acted, as people know them: the key's name, else its id; `cli (user)` for the
 * command line. */
export function actorLabel(record: Pick<AuditRecord, "actor" | "actor_name">): string {
  if (record.actor === COMMAND_LINE) return record.actor_name ? `cli (${record.actor_name})` : "cli";
  return record.actor_name || record.actor;
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(",");
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/** A target filter on one line: `queue=emails status=failed`; empty values left out. */
export function targetText(target: Record<string, unknown>): string {
  return Object.entries(target)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([name, value]) => `${name}=${valueText(value)}`)
    .join(" ");
}

/** "1 job", "12 jobs". */
export function jobCount(count: number): string {
  return `${count} job${count === 1 ? "" : "s"}`;
}
