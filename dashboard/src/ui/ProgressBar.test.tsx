// The progress bar: its value in words and for assistive technology, its width, and only
// the current attempt's progress shown; a progress event moves the bar of a running row.
import { act, render, screen } from "@testing-library/react";
import { useQuery } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Job, JobPage, JobProgress } from "../api/types";
import { JobsTable } from "../jobs/JobsTable";
import { applyEvents, keys } from "../live/applyEvents";
import { Harness, testClient } from "../test/helpers";
import { currentProgress, ProgressBar } from "./ProgressBar";

const at = "2030-01-01T00:00:00Z";
const reported = (fraction: number, message: string | null, attempt = 1): JobProgress => ({ fraction, message, at, attempt });

describe("ProgressBar", () => {
  it("shows the percentage and the message, and fills that share of its track", () => {
    render(<ProgressBar progress={reported(0.42, "resized 42/100")} />);
    const bar = screen.getByRole("progressbar", { name: "Progress" });
    expect(bar.getAttribute("aria-valuenow")).toBe("42");
    expect(bar.getAttribute("aria-valuetext")).toBe("42% · resized 42/100");
    expect((bar.querySelector(".progress-fill") as HTMLElement).style.width).toBe("42%");
    expect(screen.getByText("42% · resized 42/100").className).toBe("progress-words");
  });

  it("shows only the percentage when compact, and keeps the words in its title", () => {
    render(<ProgressBar progress={reported(1, "done")} compact />);
    expect(screen.getByText("100%").getAttribute("class")).toBe("progress-words");
    expect(screen.getByTitle("100% · done").className).toBe("progress compact");
  });

  it("shows an earlier attempt's progress as nothing", () => {
    expect(currentProgress(reported(0.9, null, 1), 2)).toBeNull();
    expect(currentProgress(reported(0.3, null, 2), 2)).toEqual(reported(0.3, null, 2));
    expect(currentProgress(null, 1)).toBeNull();
  });
});

function running(n: number): Job {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, type: "demo.progress", payload: {},
    queue: "default", priority: 0, status: "running", attempts: 1, max_attempts: 5, created_at: at,
    scheduled_at: at, started_at: at, finished_at: null, last_error: null, result: null, dedupe_key: null,
    tags: [], cancel_requested: false, progress: null,
  };
}

function Table() {
  const page = useQuery<JobPage>({ queryKey: [...keys.jobs, {}], queryFn: () => new Promise(() => {}) });
  return <JobsTable jobs={page.data?.items ?? []} selectable={false} selection={{}} onSelection={() => {}} />;
}

describe("progress in the jobs table", () => {
  // The query cache tells its observers on a timer: run it after each batch of events.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const apply = (client: ReturnType<typeof testClient>, events: Parameters<typeof applyEvents>[1]) => {
    act(() => applyEvents(client, events));
    act(() => vi.runAllTimers());
  };

  it("moves the bar of a running job as its progress events come", () => {
    const client = testClient();
    const job = running(1);
    client.setQueryData([...keys.jobs, {}], { items: [job], next_cursor: null });
    render(
      <Harness client={client}>
        <Table />
      </Harness>,
    );
    expect(screen.queryByRole("progressbar")).toBeNull(); // nothing reported yet
    const event = (fraction: number) => ({
      job_id: job.id, type: job.type, queue: job.queue, status: "running" as const, at,
      progress: reported(fraction, `step ${fraction * 4} of 4`),
    });
    apply(client, [event(0.25)]);
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");
    apply(client, [event(0.5), event(0.75)]);
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("75");
    apply(client, [{ ...event(1), progress: undefined, status: "succeeded" as const }]);
    expect(screen.queryByRole("progressbar")).toBeNull(); // finished: the status says it all
  });
});
