// The connection indicator: live, connecting, or reconnecting with the time of the next
// try. Told by a word and a shape as well as a colour, and announced to screen readers.
import { useEffect, useState } from "react";
import { useLive } from "./LiveProvider";

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function ConnectionIndicator() {
  const { state, retryNow } = useLive();
  const now = useNow(state.kind === "reconnecting");
  let shape = "●";
  let text = "Live";
  if (state.kind === "connecting") {
    shape = "◌";
    text = "Connecting…";
  } else if (state.kind === "reconnecting") {
    shape = "▲";
    const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    text = `Offline, retrying in ${seconds} s`;
  } else if (state.kind === "stopped") {
    shape = "■";
    text = "Stopped";
  }
  return (
    <div className="connection" data-state={state.kind}>
      <span role="status" aria-live="polite" title={state.kind === "reconnecting" ? state.reason : undefined}>
        <span aria-hidden="true" className="connection-shape">
          {shape}
        </span>{" "}
        {text}
      </span>
      {state.kind === "reconnecting" && (
        <button type="button" className="link" onClick={retryNow}>
          Retry now
        </button>
      )}
    </div>
  );
}
