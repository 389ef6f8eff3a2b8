// Queues' fleet-wide limits (docs/limits.md): shown on each queue's row, set and cleared
// from a form (admin keys). A limit left empty is no limit.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, messageOf, unwrap } from "../api/client";
import type { components } from "../api/schema";

export type QueueLimits = components["schemas"]["QueueLimitsOut"];

const limitsKey = ["queue-limits"] as const;

/** Every limited queue's limits, by name. */
export function useQueueLimits() {
  return useQuery({
    queryKey: limitsKey,
    queryFn: async () => {
      const { items } = await unwrap(api.GET("/v1/queue-limits"));
      return new Map(items.map((limits) => [limits.name, limits]));
    },
    refetchInterval: 5_000,
  });
}

/** A queue's limits in a few words: "≤ 10 running · 5/s · ≤ 2 per group". */
export function describeLimits(limits: QueueLimits | undefined): string {
  if (!limits) return "";
  const parts: string[] = [];
  if (limits.concurrency != null) parts.push(`≤ ${limits.concurrency} running`);
  if (limits.rate != null) parts.push(`${limits.rate}/s${limits.burst != null ? ` (burst ${limits.burst})` : ""}`);
  if (limits.group_concurrency != null) parts.push(`≤ ${limits.group_concurrency} per group`);
  return parts.join(" · ");
}

const FIELDS = [
  ["concurrency", "Running at once", "1"],
  ["rate", "Started per second", "any"],
  ["burst", "Burst", "any"],
  ["group_concurrency", "Running at once per group", "1"],
] as const;
type Field = (typeof FIELDS)[number][0];
type Values = Record<Field, string>;

function valuesOf(limits: QueueLimits | undefined): Values {
  const shown = (value: number | null | undefined) => (value == null ? "" : String(value));
  return {
    concurrency: shown(limits?.concurrency),
    rate: shown(limits?.rate),
    burst: shown(limits?.burst),
    group_concurrency: shown(limits?.group_concurrency),
  };
}

/** The form that sets a queue's limits to exactly those filled in, or clears them. */
export function LimitsEditor({ queue, limits }: { queue: string; limits: QueueLimits | undefined }) {
  const client = useQueryClient();
  const [name, setName] = useState(queue);
  const [values, setValues] = useState<Values>(valuesOf(limits));
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (clear: boolean) => {
    setError(null);
    setDone(null);
    const path = { params: { path: { name: name.trim() } } };
    try {
      if (clear) {
        await unwrap(api.DELETE("/v1/queues/{name}/limits", path));
        setValues(valuesOf(undefined));
      } else {
        const number = (text: string) => (text.trim() === "" ? null : Number(text));
        const body = {
          concurrency: number(values.concurrency),
          rate: number(values.rate),
          burst: number(values.burst),
          group_concurrency: number(values.group_concurrency),
        };
        await unwrap(api.PUT("/v1/queues/{name}/limits", { ...path, body }));
      }
      setDone(clear ? `Limits of ${name.trim()} cleared` : `Limits of ${name.trim()} set`);
      await client.invalidateQueries({ queryKey: limitsKey });
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(false);
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Queue limits">
      <label>
        Limits of queue
        <input value={name} onChange={(event) => setName(event.target.value)} required spellCheck={false} />
      </label>
      {FIELDS.map(([field, label, step]) => (
        <label key={field}>
          {label}
          <input
            type="number"
            min={field === "rate" ? undefined : 1}
            step={step}
            value={values[field]}
            placeholder="none"
            onChange={(event) => setValues({ ...values, [field]: event.target.value })}
          />
        </label>
      ))}
      <button type="submit">Set limits</button>
      <button type="button" onClick={() => void act(true)}>
        Clear limits
      </button>
      {done && <span role="status">{done}</span>}
      {error && <span role="alert" className="error">{error}</span>}
    </form>
  );
}
