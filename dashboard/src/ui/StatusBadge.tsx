// A job's status as a word with its own shape, and colour on top: readable without colour.
import type { JobStatus } from "../api/types";

const SHAPES: Record<JobStatus, string> = {
  scheduled: "◷",
  queued: "○",
  running: "▶",
  retrying: "↻",
  succeeded: "✓",
  failed: "✕",
  cancelled: "⊘",
};

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`status status-${status}`} data-status={status}>
      <span aria-hidden="true" className="status-shape">
        {SHAPES[status]}
      </span>
      {status}
    </span>
  );
}
