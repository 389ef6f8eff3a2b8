// A running job's progress as its task reports it: a bar (with its percentage and message
// in words, for readers that see no bar) that follows the job's events.
import type { JobProgress } from "../api/types";

/** The progress worth showing for a job: its current attempt's only (an earlier attempt's
 * value says how far that one got, not how far this one has). */
export function currentProgress(
  progress: JobProgress | null | undefined,
  attempts: number | null | undefined,
): JobProgress | null {
  if (!progress) return null;
  return attempts == null || progress.attempt === attempts ? progress : null;
}

export function ProgressBar({ progress, compact = false }: { progress: JobProgress; compact?: boolean }) {
  const percent = Math.round(Math.min(1, Math.max(0, progress.fraction)) * 100);
  const words = progress.message ? `${percent}% · ${progress.message}` : `${percent}%`;
  return (
    <span className={compact ? "progress compact" : "progress"} title={words}>
      <span
        className="progress-track"
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={words}
      >
        <span className="progress-fill" style={{ width: `${percent}%` }} />
      </span>
      <span className="progress-words">{compact ? `${percent}%` : words}</span>
    </span>
  );
}
