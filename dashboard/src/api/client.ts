// The API client: typed by the generated schema, the key sent as a bearer token.
import createClient, { type Middleware } from "openapi-fetch";
import { readKey } from "../auth/session";
import type { paths } from "./schema";
import { LISTED_FIELDS, type JobPage } from "./types";

/** An answer of the API that is not a success, with the message the API gave. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever the API refuses the key (401): the session is over. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const auth: Middleware = {
  onRequest({ request }) {
    const key = readKey();
    if (key && !request.headers.has("authorization")) {
      request.headers.set("authorization", `Bearer ${key}`);
    }
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && readKey()) {
      for (const listener of unauthorizedListeners) listener();
    }
    return response;
  },
};

// fetch is looked up at each call (not captured once), so tests can stand in for the network.
export const api = createClient<paths>({ baseUrl: "", fetch: (request) => globalThis.fetch(request) });
api.use(auth);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function describe(error: unknown, response: Response): ApiError {
  const detail = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new ApiError(
    response.status,
    detail?.code ?? "error",
    detail?.message ?? `the server answered ${response.status} ${response.statusText}`.trim(),
  );
}

/** The body of a successful answer; throws {@link ApiError} otherwise. */
export async function unwrap<T>(answer: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await answer;
  if (!response.ok) throw describe(error, response);
  return data as T;
}

/** A message for people, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "the server cannot be reached";
  return error instanceof Error ? error.message : String(error);
}

type JobsQuery = NonNullable<paths["/v1/jobs"]["get"]["parameters"]["query"]>;

/** A page of jobs with the fields the lists show. The schema types every field of a page's
 * job as optional (only those asked for come); these were asked for, so they came. */
export async function listJobs(query: Omit<JobsQuery, "fields">): Promise<JobPage> {
  const page = await unwrap(api.GET("/v1/jobs", { params: { query: { ...query, fields: LISTED_FIELDS.join(",") } } }));
  return page as JobPage;
}
