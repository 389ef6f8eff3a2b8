import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { JobDetail } from "../api/types";
import { fakeFetch, Harness, testClient } from "../test/helpers";
import { JobView } from "./JobView";

const ID = "01939a2b-0000-7000-8000-000000000002";
const PARENT = "01939a2b-0000-7000-8000-000000000001";
const CHORD = "01939a2b-0000-7000-8000-0000000000c0";

function job(fields: Partial<JobDetail>): JobDetail {
  const at = "2026-01-02T03:04:05Z";
  return {
    id: ID,
    type: "invoice.mail",
    payload: {},
    queue: "default",
    priority: 0,
    status: "queued",
    attempts: 0,
    max_attempts: 5,
    created_at: at,
    scheduled_at: at,
    started_at: null,
    finished_at: null,
    last_error: null,
    result: null,
    dedupe_key: null,
    tags: [],
    cancel_requested: false,
    attempt_history: [],
    ...fields,
  };
}

function show(detail: JobDetail) {
  globalThis.fetch = fakeFetch({ [`/v1/jobs/${ID}`]: detail }).fetch;
  render(
    <Harness client={testClient()} path={`/jobs/${ID}`}>
      <JobView id={ID} />
    </Harness>,
  );
}

describe("a job's links to other jobs (chains and chords)", () => {
  it("links the parent, names the chord and the follow-ups' tasks", async () => {
    show(
      job({
        parent_id: PARENT,
        chord_id: CHORD,
        follow_ups: { on_success: { task: "invoice.archive" }, on_failure: { task: "ops.page" } },
      }),
    );
    const parent = await screen.findByRole("link", { name: PARENT });
    expect(parent.getAttribute("href")).toBe(`/jobs/${PARENT}`);
    expect(screen.getByText(CHORD)).toBeTruthy();
    expect(screen.getByText("invoice.archive")).toBeTruthy();
    expect(screen.getByText("ops.page")).toBeTruthy();
  });

  it("shows none of them for a job without links", async () => {
    show(job({}));
    await screen.findByText(ID);
    expect(screen.queryByText("Parent")).toBeNull();
    expect(screen.queryByText("Chord")).toBeNull();
    expect(screen.queryByText("On success")).toBeNull();
  });
});
