// A burst of 10,000 job events reaches the jobs table in a few renders, not 10,000.
import { act, render, screen } from "@testing-library/react";
import { useQuery } from "@tanstack/react-query";
import { Profiler } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Job, JobEvent, JobPage, JobStatus } from "../api/types";
import { JobsTable } from "../jobs/JobsTable";
import { Harness, testClient } from "../test/helpers";
import { applyEvents, keys } from "./applyEvents";
import { createBatcher } from "./batcher";
import { BATCH_INTERVAL_MS } from "./LiveProvider";

function job(n: number): Job {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  return {
    id, type: "demo.echo", payload: {}, queue: "default", priority: 0, status: "queued", attempts: 0,
    max_attempts: 5, created_at: "2030-01-01T00:00:00Z", scheduled_at: "2030-01-01T00:00:00Z",
    started_at: null, finished_at: null, last_error: null, result: null, dedupe_key: null, tags: [],
    cancel_requested: false,
  };
}

const FILTERS = {};
function Table({ onRender }: { onRender: () => void }) {
  const page = useQuery<JobPage>({ queryKey: [...keys.jobs, FILTERS], queryFn: () => new Promise(() => {}) });
  return (
    <Profiler id="jobs" onRender={onRender}>
      <JobsTable jobs={page.data?.items ?? []} selectable selection={{}} onSelection={() => {}} />
    </Profiler>
  );
}

describe("live updates of the jobs table", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("renders a burst of 10,000 events a few times a second, and ends on the last status", { timeout: 30_000 }, () => {
    const client = testClient();
    const shown = Array.from({ length: 50 }, (_, n) => job(n));
    client.setQueryData([...keys.jobs, FILTERS], { items: shown, next_cursor: null });
    const renders = vi.fn();
    render(
      <Harness client={client}>
        <Table onRender={renders} />
      </Harness>,
    );
    const before = renders.mock.calls.length;
    const batcher = createBatcher<JobEvent>(BATCH_INTERVAL_MS, (events) => applyEvents(client, events));
    const cycle: JobStatus[] = ["running", "retrying", "queued", "running", "succeeded"];
    // 10,000 events over one second in frames of 100 (as the socket sends them), each
    // moving one of the shown jobs; the last event of each job says succeeded.
    // Each frame in an act() of its own: React renders what it was given before the next.
    for (let frame = 0; frame < 100; frame++) {
      const events = Array.from({ length: 100 }, (_, i) => {
        const n = frame * 100 + i;
        const status = n >= 10_000 - 50 ? "succeeded" : (cycle[n % 4] as JobStatus);
        return { job_id: shown[n % 50]!.id, type: "demo.echo", queue: "default", status, at: "" };
      });
      act(() => {
        batcher.push(events);
        vi.advanceTimersByTime(10);
      });
    }
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    const renderedDuringBurst = renders.mock.calls.length - before;
    expect(renderedDuringBurst).toBeGreaterThan(0);
    expect(renderedDuringBurst).toBeLessThanOrEqual(5);
    const statuses = screen.getAllByRole("row").slice(1).map((row) => row.getAttribute("data-status"));
    expect(statuses).toEqual(Array(50).fill("succeeded"));
  });
});
