import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, type BackoffOptions } from "./backoff";
import { EventConnection, type ConnectionState } from "./connection";

const fixed = (random: number): BackoffOptions => ({ baseMs: 500, capMs: 15_000, factor: 2, random: () => random });

describe("backoffDelay", () => {
  it("doubles per attempt up to the cap", () => {
    const top = [0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, fixed(0.999999)));
    expect(top.map(Math.round)).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it("keeps each delay between half its step and the step (jitter)", () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const step = Math.min(15_000, 500 * 2 ** attempt);
      expect(backoffDelay(attempt, fixed(0))).toBe(step / 2);
      expect(backoffDelay(attempt, fixed(0.5))).toBe(step * 0.75);
    }
  });

  it("spreads clients apart: different random draws give different delays", () => {
    const delays = new Set([0.1, 0.4, 0.7].map((r) => backoffDelay(3, fixed(r))));
    expect(delays.size).toBe(3);
  });
});

class FakeSocket {
  static opened: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: MessageEvent) => void) | null = null;
  onclose: ((close: CloseEvent) => void) | null = null;
  constructor(readonly token: string) {
    FakeSocket.opened.push(this);
  }
  open() {
    this.onopen?.();
  }
  send(data: string) {
    this.onmessage?.(new MessageEvent("message", { data }));
  }
  drop() {
    this.onclose?.(new CloseEvent("close", { code: 1006 }));
  }
  close() {}
}

describe("EventConnection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.opened = [];
  });
  afterEach(() => vi.useRealTimers());

  function connect(fetchToken: () => Promise<string>) {
    const states: ConnectionState[] = [];
    const events: unknown[] = [];
    const reconnected = vi.fn();
    const connection = new EventConnection(
      {
        fetchToken,
        openSocket: (token) => new FakeSocket(token) as unknown as WebSocket,
        backoff: fixed(0.5),
      },
      { onState: (s) => states.push(s), onEvents: (e) => events.push(...e), onReconnected: reconnected },
    );
    connection.start();
    return { connection, states, events, reconnected };
  }

  it("retries with growing delays while the server is away, then reconnects and catches up", async () => {
    let serverUp = true;
    let tokens = 0;
    const { states, events, reconnected } = connect(async () => {
      if (!serverUp) throw new TypeError("Failed to fetch");
      return `t${++tokens}`;
    });
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.opened[0]?.open();
    expect(states.at(-1)).toEqual({ kind: "live" });
    FakeSocket.opened[0]?.send(JSON.stringify({ events: [{ job_id: "j", status: "queued" }] }));
    expect(events).toHaveLength(1);
    expect(reconnected).not.toHaveBeenCalled();

    serverUp = false;
    FakeSocket.opened[0]?.drop();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const state = states.at(-1);
      expect(state?.kind).toBe("reconnecting");
      if (state?.kind !== "reconnecting") return;
      waits.push(Math.round(state.retryAt - Date.now()));
      await vi.advanceTimersByTimeAsync(state.retryAt - Date.now());
    }
    expect(waits).toEqual([375, 750, 1500, 3000]);

    serverUp = true;
    const last = states.at(-1);
    if (last?.kind !== "reconnecting") throw new Error("not reconnecting");
    await vi.advanceTimersByTimeAsync(last.retryAt - Date.now());
    expect(FakeSocket.opened).toHaveLength(2);
    expect(FakeSocket.opened[1]?.token).toBe("t2"); // a fresh token for the new socket
    FakeSocket.opened[1]?.open();
    expect(states.at(-1)).toEqual({ kind: "live" });
    expect(reconnected).toHaveBeenCalledTimes(1); // the catch-up refetch

    // After a good connection the backoff starts over from its first step.
    FakeSocket.opened[1]?.drop();
    const again = states.at(-1);
    expect(again?.kind === "reconnecting" && Math.round(again.retryAt - Date.now())).toBe(375);
  });

  it("stops retrying once stopped", async () => {
    const fetchToken = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const { connection, states } = connect(fetchToken);
    await vi.advanceTimersByTimeAsync(0);
    connection.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toEqual({ kind: "stopped" });
  });
});
