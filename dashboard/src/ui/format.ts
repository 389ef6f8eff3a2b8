// Times and durations as people read them.

/** "4.2 s", "3 m 10 s", "2 h 5 m", "3 d 4 h"; "—" for none. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} m ${whole % 60} s`;
  if (whole < 86400) return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} m`;
  return `${Math.floor(whole / 86400)} d ${Math.floor((whole % 86400) / 3600)} h`;
}

/** Seconds from `iso` to `now`. */
export function secondsSince(iso: string, now: number = Date.now()): number {
  return (now - Date.parse(iso)) / 1000;
}

/** "12 s ago" for a moment in the past. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  return `${duration(secondsSince(iso, now))} ago`;
}

/** The local date and time, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** Seconds between two moments, or null when one is missing. */
export function between(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  return (Date.parse(end) - Date.parse(start)) / 1000;
}

/** The first line of an error: the exception line, not the traceback. */
export function firstLine(text: string | null | undefined): string {
  return (text ?? "").split("\n", 1)[0] ?? "";
}

/** A job id short enough for a table cell: its end (ids begin with their time, so jobs
 * made together share their first characters). */
export function shortId(id: string): string {
  return `…${id.slice(-8)}`;
}
