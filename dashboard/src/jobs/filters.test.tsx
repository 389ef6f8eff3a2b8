import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { memoryLocation } from "wouter/memory-location";
import { Harness, testClient } from "../test/helpers";
import { formatFilters, jobsQuery, parseFilters, withFilter } from "./filters";
import { JobsView } from "./JobsView";

const ID = "0f8c2d9e-1b7a-4c55-9a0e-3f1d2c4b5a69";

describe("filters and the query string", () => {
  it("round-trips every filter and the cursor", () => {
    const search = `status=failed&queue=emails&type=email.send&tag=vip&id=${ID}&dedupe_key=order-7&cursor=${ID}`;
    const filters = parseFilters(search);
    expect(filters).toEqual({
      status: "failed",
      queue: "emails",
      type: "email.send",
      tag: "vip",
      id: ID,
      dedupe_key: "order-7",
      cursor: ID,
    });
    expect(formatFilters(filters)).toBe(search);
  });

  it("leaves out unknown names, unknown statuses, empty values and a malformed cursor", () => {
    expect(parseFilters("?status=exploded&queue=&colour=red&cursor=nope&tag=%20a%20")).toEqual({ tag: "a" });
  });

  it("escapes what it writes and reads it back the same", () => {
    const filters = { queue: "a&b=c", tag: "x y/z" };
    expect(parseFilters(formatFilters(filters))).toEqual(filters);
  });

  it("goes back to the first page when a filter changes", () => {
    const next = withFilter({ queue: "a", cursor: ID }, "tag", "vip");
    expect(next).toEqual({ queue: "a", tag: "vip" });
    expect(withFilter({ status: "failed" }, "status", "")).toEqual({});
  });

  it("asks the API for the filters by their API names", () => {
    expect(jobsQuery({ type: "t", dedupe_key: "k", status: "queued" }, 50)).toEqual({
      limit: 50,
      status: "queued",
      type: "t",
      dedupe_key: "k",
    });
  });
});

describe("the jobs view's filter form", () => {
  it("writes the filters into the address and reads them from it", async () => {
    const jobs = { items: [], next_cursor: null };
    globalThis.fetch = async () => new Response(JSON.stringify(jobs), { headers: { "content-type": "application/json" } });
    const location = memoryLocation({ path: "/jobs?status=failed&queue=emails", record: true });
    render(
      <Harness client={testClient()} location={location}>
        <JobsView />
      </Harness>,
    );
    // Read from the address.
    expect(screen.getByLabelText<HTMLSelectElement>("Status").value).toBe("failed");
    expect(screen.getByLabelText<HTMLInputElement>("Queue").value).toBe("emails");
    // Written to it.
    await userEvent.type(screen.getByLabelText("Tag"), "vip");
    await userEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(location.history.at(-1)).toBe("/jobs?status=failed&queue=emails&tag=vip");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "running");
    expect(location.history.at(-1)).toBe("/jobs?status=running&queue=emails&tag=vip");
  });

  it("refuses a malformed job id without asking the API", async () => {
    const asked: string[] = [];
    globalThis.fetch = async (input: RequestInfo | URL) => {
      asked.push(new Request(input).url);
      return new Response(JSON.stringify({ items: [], next_cursor: null }));
    };
    const location = memoryLocation({ path: "/jobs", record: true });
    render(
      <Harness client={testClient()} location={location}>
        <JobsView />
      </Harness>,
    );
    await userEvent.type(screen.getByLabelText("Job id"), "not-an-id");
    await userEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(screen.getByRole("alert").textContent).toMatch(/job id looks like/);
    expect(location.history.at(-1)).toBe("/jobs");
    expect(asked.every((url) => !url.includes("not-an-id"))).toBe(true);
  });
});
