// Keeps the events socket open while signed in, batches its events into the query cache,
// and refetches everything after a reconnect (what changed meanwhile was missed).
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, unwrap } from "../api/client";
import type { JobEvent } from "../api/types";
import { applyEvents } from "./applyEvents";
import { createBatcher } from "./batcher";
import { EventConnection, type ConnectionState } from "./connection";

/** At most this many updates of the views per second from events, whatever the rate. */
export const BATCH_INTERVAL_MS = 300;

interface Live {
  state: ConnectionState;
  retryNow: () => void;
}

const LiveContext = createContext<Live>({ state: { kind: "connecting" }, retryNow: () => {} });

export function useLive(): Live {
  return useContext(LiveContext);
}

function eventsUrl(token: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/v1/events?token=${encodeURIComponent(token)}`;
}

async function fetchToken(): Promise<string> {
  const { token } = await unwrap(api.POST("/v1/events/token"));
  return token;
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<ConnectionState>({ kind: "connecting" });
  const connection = useRef<EventConnection | null>(null);

  useEffect(() => {
    const batcher = createBatcher<JobEvent>(BATCH_INTERVAL_MS, (events) =>
      applyEvents(client, events),
    );
    const live = new EventConnection(
      { fetchToken, openSocket: (token) => new WebSocket(eventsUrl(token)) },
      {
        onState: setState,
        onEvents: (events) => batcher.push(events),
        onReconnected: () => void client.invalidateQueries(),
      },
    );
    connection.current = live;
    live.start();
    return () => {
      live.stop();
      batcher.stop();
      connection.current = null;
    };
  }, [client]);

  const value = useMemo(
    () => ({ state, retryNow: () => connection.current?.retryNow() }),
    [state],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
