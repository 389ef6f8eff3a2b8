import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { memoryLocation } from "wouter/memory-location";
import type { AuditRecord } from "../api/types";
import { fakeFetch, Harness, testClient } from "../test/helpers";
import { AuditView } from "./AuditView";
import { actorLabel, auditQuery, formatAuditFilters, parseAuditFilters, targetText } from "./filters";

const ID = "0f8c2d9e-1b7a-4c55-9a0e-3f1d2c4b5a69";
const JOB = "1a2b3c4d-0000-4000-8000-00000000beef";

function record(fields: Partial<AuditRecord>): AuditRecord {
  return {
    id: ID,
    // Long enough ago that the test taking a while does not change how it reads.
    at: new Date(Date.now() - (3 * 86_400 + 3_600 + 30) * 1000).toISOString(),
    actor: "k-ops",
    actor_name: "ops",
    source: "10.0.0.7",
    action: "job.retry",
    job_ids: [],
    target: {},
    affected: null,
    ...fields,
  };
}

describe("the audit trail's filters and the query string", () => {
  it("round-trips the actor, the action and the cursor", () => {
    const search = `actor=cli&action=queue.pause&cursor=${ID}`;
    const filters = parseAuditFilters(search);
    expect(filters).toEqual({ actor: "cli", action: "queue.pause", cursor: ID });
    expect(formatAuditFilters(filters)).toBe(search);
    expect(auditQuery(filters, 50)).toEqual({ limit: 50, actor: "cli", action: "queue.pause", cursor: ID });
  });

  it("leaves out unknown actions, empty values, unknown names and a malformed cursor", () => {
    expect(parseAuditFilters("?action=job.explode&actor=%20&cursor=nope&status=failed")).toEqual({});
    expect(parseAuditFilters("actor=a%26b")).toEqual({ actor: "a&b" });
  });
});

describe("a record in a table cell", () => {
  it("names the actor by key name, else id, and the command line by its user", () => {
    expect(actorLabel({ actor: "k1", actor_name: "deploy bot" })).toBe("deploy bot");
    expect(actorLabel({ actor: "env", actor_name: null })).toBe("env");
    expect(actorLabel({ actor: "cli", actor_name: "alice" })).toBe("cli (alice)");
  });

  it("writes a target on one line, without empty values", () => {
    expect(targetText({ status: "failed", queue: "emails", type: null })).toBe("status=failed queue=emails");
    expect(targetText({ key: "k9", scopes: ["read", "write"] })).toBe("key=k9 scopes=read,write");
    expect(targetText({})).toBe("");
  });
});

describe("the audit view", () => {
  it("shows who did what to which jobs, and writes its filters into the address", async () => {
    const page = {
      items: [
        record({ job_ids: [JOB] }),
        record({ id: JOB, actor: "cli", actor_name: "alice", source: "cli:alice@box", action: "jobs.purge", target: { status: "failed", queue: null }, affected: 12 }),
      ],
      next_cursor: JOB,
    };
    const { fetch, requests } = fakeFetch({ "/v1/audit": page });
    globalThis.fetch = fetch;
    const location = memoryLocation({ path: "/audit?actor=k-ops", record: true });
    render(
      <Harness client={testClient()} location={location}>
        <AuditView />
      </Harness>,
    );
    const rows = await screen.findAllByRole("row");
    const [retry, purge] = rows.slice(1);
    expect(within(retry!).getByRole("link", { name: `…${JOB.slice(-8)}` }).getAttribute("href")).toBe(`/jobs/${JOB}`);
    expect(retry!.textContent).toContain("ops");
    expect(within(retry!).getByText("3 d 1 h ago").getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(purge!.textContent).toContain("cli (alice)");
    expect(purge!.textContent).toContain("status=failed");
    expect(purge!.textContent).toContain("12 jobs");
    expect(new URL(requests[0]!.url).search).toBe("?limit=50&actor=k-ops");

    expect(screen.getByLabelText<HTMLInputElement>(/Actor/).value).toBe("k-ops");
    await userEvent.selectOptions(screen.getByLabelText("Action"), "jobs.purge");
    expect(location.history.at(-1)).toBe("/audit?actor=k-ops&action=jobs.purge");
    await userEvent.click(screen.getByRole("button", { name: "Older →" }));
    expect(location.history.at(-1)).toBe(`/audit?actor=k-ops&action=jobs.purge&cursor=${JOB}`);
    await userEvent.clear(screen.getByLabelText(/Actor/));
    await userEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(location.history.at(-1)).toBe("/audit?action=jobs.purge");
  });

  it("tells a key that cannot administer why it sees nothing, without asking the API", () => {
    const { fetch, requests } = fakeFetch({});
    globalThis.fetch = fetch;
    render(
      <Harness client={testClient()} scope="write" path="/audit">
        <AuditView />
      </Harness>,
    );
    expect(screen.getByText(/needs an admin key/)).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
    expect(requests).toEqual([]);
  });
});
