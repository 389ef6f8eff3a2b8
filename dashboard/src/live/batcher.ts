// Gathers items that arrive in bursts and hands them over in batches, at most one batch per
// interval: however many events a burst brings, the views update a few times a second.

export interface Timers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  now: () => number;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface Batcher<T> {
  push(items: readonly T[]): void;
  /** Hands over what is pending now (used when the socket closes). */
  flush(): void;
  /** Drops what is pending and stops the timer. */
  stop(): void;
}

/**
 * A batcher calling `onFlush` with everything pushed since the last call, no sooner than
 * `intervalMs` after that last call: the first item after a quiet spell waits at most
 * `intervalMs`, and a steady stream is delivered once per interval.
 */
export function createBatcher<T>(
  intervalMs: number,
  onFlush: (items: T[]) => void,
  timers: Timers = realTimers,
): Batcher<T> {
  let pending: T[] = [];
  let handle: unknown = null;
  let lastFlush = -Infinity;

  const flush = () => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    lastFlush = timers.now();
    onFlush(items);
  };

  return {
    push(items) {
      if (items.length === 0) return;
      for (const item of items) pending.push(item);
      if (handle !== null) return;
      const wait = Math.max(0, lastFlush + intervalMs - timers.now());
      handle = timers.setTimeout(flush, Math.max(wait, Math.min(intervalMs, 50)));
    },
    flush,
    stop() {
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
      pending = [];
    },
  };
}
