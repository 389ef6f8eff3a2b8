// Pages of jobs carry only the fields asked for: the lists ask for every field they show.
import { describe, expect, it } from "vitest";
import { fakeFetch } from "../test/helpers";
import { listJobs } from "./client";
import { LISTED_FIELDS } from "./types";

describe("listJobs", () => {
  it("asks for the fields the lists show, with the filters given", async () => {
    const network = fakeFetch({ "/v1/jobs": { items: [], next_cursor: null } });
    globalThis.fetch = network.fetch;
    await listJobs({ status: "failed", limit: 10 });
    expect(network.requests).toHaveLength(1);
    const url = new URL(network.requests.at(0)?.url ?? "");
    expect(url.searchParams.get("fields")?.split(",")).toEqual([...LISTED_FIELDS]);
    expect(url.searchParams.get("status")).toBe("failed");
    expect(url.searchParams.get("limit")).toBe("10");
    for (const shown of ["last_error", "finished_at", "status", "type"]) {
      expect(LISTED_FIELDS).toContain(shown);
    }
  });
});
