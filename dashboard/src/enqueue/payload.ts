// The enqueue form's checks, made before anything is sent: the API would refuse the same
// mistakes, but later and with less to point at.

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Largest payload the form sends, as JSON bytes (the API's default limit). */
export const MAX_PAYLOAD_BYTES = 1_048_576;

function position(text: string, error: SyntaxError): string {
  const found = /position (\d+)/.exec(error.message);
  if (!found?.[1]) return "";
  const offset = Number(found[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return ` (line ${line}, column ${column})`;
}

/** The payload editor's text as a JSON object, or why it is not one. */
export function checkPayload(text: string): Checked<Record<string, unknown>> {
  if (text.trim() === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const where = error instanceof SyntaxError ? position(text, error) : "";
    return { ok: false, message: `not valid JSON${where}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      message: "the payload must be a JSON object: the task's keyword arguments, e.g. {\"text\": \"hello\"}",
    };
  }
  const size = new TextEncoder().encode(JSON.stringify(value)).length;
  if (size > MAX_PAYLOAD_BYTES) {
    return { ok: false, message: `the payload is ${size} bytes; at most ${MAX_PAYLOAD_BYTES} are accepted` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export interface EnqueueForm {
  type: string;
  payload: string;
  queue: string;
  priority: string;
  delay: string;
  maxAttempts: string;
  dedupeKey: string;
}

export interface EnqueueRequest {
  type: string;
  payload: Record<string, unknown>;
  queue?: string;
  priority?: number;
  delay?: number;
  max_attempts?: number;
  dedupe_key?: string;
}

export type FormErrors = Partial<Record<keyof EnqueueForm, string>>;

function number(
  text: string,
  { min, max, integer }: { min: number; max?: number; integer: boolean },
): Checked<number | undefined> {
  if (text.trim() === "") return { ok: true, value: undefined };
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, message: "must be a number" };
  if (integer && !Number.isInteger(value)) return { ok: false, message: "must be a whole number" };
  if (value < min) return { ok: false, message: `must be at least ${min}` };
  if (max !== undefined && value > max) return { ok: false, message: `must be at most ${max}` };
  return { ok: true, value };
}

/** The request the form describes, or the message of each field that is wrong. */
export function buildRequest(form: EnqueueForm): Checked<EnqueueRequest> & { errors: FormErrors } {
  const errors: FormErrors = {};
  const request: EnqueueRequest = { type: form.type.trim(), payload: {} };
  if (!request.type) errors.type = "choose a task";
  const payload = checkPayload(form.payload);
  if (payload.ok) request.payload = payload.value;
  else errors.payload = payload.message;
  if (form.queue.trim()) request.queue = form.queue.trim();
  if (form.dedupeKey.trim()) request.dedupe_key = form.dedupeKey.trim();
  const numbers = [
    ["priority", "priority", number(form.priority, { min: -100, max: 100, integer: true })],
    ["delay", "delay", number(form.delay, { min: 0, integer: false })],
    ["maxAttempts", "max_attempts", number(form.maxAttempts, { min: 1, integer: true })],
  ] as const;
  for (const [field, name, checked] of numbers) {
    if (!checked.ok) errors[field] = checked.message;
    else if (checked.value !== undefined) request[name] = checked.value;
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, message: "the form has mistakes", errors };
  }
  return { ok: true, value: request, errors };
}
