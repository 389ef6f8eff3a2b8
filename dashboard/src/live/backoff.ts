// When to try again after the events socket dropped: exponential, capped, with jitter so
// that many dashboards do not all come back at the same instant after a restart.

export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  baseMs: number;
  /** Longest delay, in milliseconds. */
  capMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** A number in [0, 1): Math.random, or a fixed source in tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 500,
  capMs: 15_000,
  factor: 2,
  random: Math.random,
};

/**
 * The delay before retry number `attempt` (0 for the first): the exponential step
 * `base * factor^attempt`, capped, of which the upper half is random ("equal jitter"), so
 * a delay never falls below half its step and never exceeds the cap.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const step = Math.min(options.capMs, options.baseMs * options.factor ** Math.max(0, attempt));
  return step / 2 + (step / 2) * options.random();
}
