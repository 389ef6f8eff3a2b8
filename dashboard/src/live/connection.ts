// The events socket, kept open: a fresh token per connection, and after a drop, retries
// with backoff until it is back. Listeners hear the state and every frame's events.
import type { JobEvent } from "../api/types";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";

export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number; retryAt: number; reason: string }
  | { kind: "stopped" };

/** What the connection needs from the outside world (real ones in the browser, fakes in tests). */
export interface ConnectionDeps {
  /** A token for one socket (POST /v1/events/token). */
  fetchToken: () => Promise<string>;
  /** Opens a socket to the events URL for `token`. */
  openSocket: (token: string) => WebSocket;
  backoff?: BackoffOptions;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  now?: () => number;
}

export interface ConnectionHandlers {
  onState: (state: ConnectionState) => void;
  onEvents: (events: JobEvent[]) => void;
  /** Called when the socket is open again after a drop: whatever changed meanwhile was missed. */
  onReconnected: () => void;
}

/** The events of one frame: `{"events": [...]}` (or a bare array). */
export function eventsOf(frame: string): JobEvent[] {
  const parsed: unknown = JSON.parse(frame);
  const events = Array.isArray(parsed) ? parsed : (parsed as { events?: unknown }).events;
  return Array.isArray(events) ? (events as JobEvent[]) : [];
}

export class EventConnection {
  private readonly deps: Required<ConnectionDeps>;
  private socket: WebSocket | null = null;
  private timer: unknown = null;
  private failures = 0;
  private everOpened = false;
  private stopped = false;

  constructor(
    deps: ConnectionDeps,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.deps = {
      backoff: DEFAULT_BACKOFF,
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
      now: () => Date.now(),
      ...deps,
    };
  }

  start(): void {
    this.stopped = false;
    this.handlers.onState({ kind: "connecting" });
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.handlers.onState({ kind: "stopped" });
  }

  /** Try now rather than at the scheduled time (the "retry now" button). */
  retryNow(): void {
    if (this.stopped || this.socket !== null) return;
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
    this.handlers.onState({ kind: "connecting" });
    void this.connect();
  }

  private async connect(): Promise<void> {
    let token: string;
    try {
      token = await this.deps.fetchToken();
    } catch (error) {
      this.scheduleRetry(error instanceof Error ? error.message : "no token");
      return;
    }
    if (this.stopped) return;
    const socket = this.deps.openSocket(token);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.failures = 0;
      this.handlers.onState({ kind: "live" });
      if (this.everOpened) this.handlers.onReconnected();
      this.everOpened = true;
    };
    socket.onmessage = (message: MessageEvent) => {
      if (this.socket !== socket || typeof message.data !== "string") return;
      const events = eventsOf(message.data);
      if (events.length > 0) this.handlers.onEvents(events);
    };
    socket.onclose = (close: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stopped) this.scheduleRetry(close.reason || `closed (${close.code})`);
    };
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.failures, this.deps.backoff);
    const attempt = ++this.failures;
    this.handlers.onState({ kind: "reconnecting", attempt, retryAt: this.deps.now() + delay, reason });
    this.timer = this.deps.setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      this.handlers.onState({ kind: "connecting" });
      void this.connect();
    }, delay);
  }
}
