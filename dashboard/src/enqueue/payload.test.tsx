import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { memoryLocation } from "wouter/memory-location";
import { fakeFetch, Harness, testClient } from "../test/helpers";
import { EnqueueView } from "./EnqueueView";
import { buildRequest, checkPayload, MAX_PAYLOAD_BYTES, type EnqueueForm } from "./payload";

const FORM: EnqueueForm = { type: "text.reverse", payload: '{"text": "hi"}', queue: "", priority: "", delay: "", maxAttempts: "", dedupeKey: "" };

describe("checkPayload", () => {
  it("takes a JSON object, and an empty editor as {}", () => {
    expect(checkPayload('{"text": "hello", "n": [1, 2]}')).toEqual({ ok: true, value: { text: "hello", n: [1, 2] } });
    expect(checkPayload("  ")).toEqual({ ok: true, value: {} });
  });

  it("says where the JSON breaks", () => {
    const checked = checkPayload('{\n  "text": "hello",\n  oops\n}');
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.message).toMatch(/^not valid JSON \(line 3, column \d+\)$/);
  });

  it("refuses JSON that is not an object: the payload is keyword arguments", () => {
    for (const text of ["[1, 2]", '"text"', "42", "null"]) {
      const checked = checkPayload(text);
      expect(!checked.ok && checked.message).toMatch(/must be a JSON object/);
    }
  });

  it("refuses a payload over the size limit", () => {
    const checked = checkPayload(JSON.stringify({ blob: "x".repeat(MAX_PAYLOAD_BYTES) }));
    expect(!checked.ok && checked.message).toMatch(/at most 1048576/);
  });
});

describe("buildRequest", () => {
  it("sends only what was filled in, as numbers where numbers are meant", () => {
    const built = buildRequest({ ...FORM, queue: " emails ", priority: "5", delay: "2.5", maxAttempts: "3", dedupeKey: "k" });
    expect(built).toMatchObject({
      ok: true,
      value: { type: "text.reverse", payload: { text: "hi" }, queue: "emails", priority: 5, delay: 2.5, max_attempts: 3, dedupe_key: "k" },
    });
    expect(buildRequest(FORM)).toMatchObject({ ok: true, value: { type: "text.reverse", payload: { text: "hi" } } });
  });

  it("names each field that is wrong", () => {
    const built = buildRequest({ ...FORM, type: "", payload: "[", priority: "101", delay: "-1", maxAttempts: "1.5" });
    expect(built.ok).toBe(false);
    expect(built.errors).toEqual({
      type: "choose a task",
      payload: expect.stringMatching(/not valid JSON/),
      priority: "must be at most 100",
      delay: "must be at least 0",
      maxAttempts: "must be a whole number",
    });
  });
});

describe("the enqueue form", () => {
  const tasks = {
    items: [{ name: "text.reverse", queue: "default", priority: 0, max_attempts: 5, timeout: null, last_seen: "2030-01-01T00:00:00Z" }],
  };

  it("shows the payload's mistake while typing and sends nothing until it is fixed", async () => {
    const network = fakeFetch({ "/v1/tasks": tasks, "/v1/jobs": { id: "0f8c2d9e-1b7a-4c55-9a0e-3f1d2c4b5a69" } });
    globalThis.fetch = network.fetch;
    const location = memoryLocation({ path: "/enqueue", record: true });
    render(
      <Harness client={testClient()} location={location} scope="write">
        <EnqueueView />
      </Harness>,
    );
    await screen.findByRole("option", { name: "text.reverse" });
    await userEvent.selectOptions(screen.getByLabelText("Task"), "text.reverse");
    const editor = screen.getByLabelText("Payload (JSON object)");
    await userEvent.clear(editor);
    await userEvent.type(editor, '[[1, 2]');
    expect(screen.getByRole("alert").textContent).toMatch(/must be a JSON object/);
    expect(editor.getAttribute("aria-invalid")).toBe("true");
    await userEvent.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(network.requests.filter((r) => r.method === "POST")).toEqual([]);

    await userEvent.clear(editor);
    await userEvent.type(editor, '{{"text": "hello"}');
    expect(screen.queryByRole("alert")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Enqueue" }));
    await waitFor(() => expect(location.history.at(-1)).toBe("/jobs/0f8c2d9e-1b7a-4c55-9a0e-3f1d2c4b5a69"));
    const [sent] = network.requests.filter((r) => r.method === "POST");
    expect(await sent?.json()).toEqual({ type: "text.reverse", payload: { text: "hello" } });
  });

  it("offers nothing to a read-only key", () => {
    globalThis.fetch = fakeFetch({ "/v1/tasks": tasks }).fetch;
    render(
      <Harness client={testClient()} scope="read">
        <EnqueueView />
      </Harness>,
    );
    expect(screen.queryByRole("button", { name: "Enqueue" })).toBeNull();
    expect(screen.getByText(/may only read/)).toBeTruthy();
  });
});
