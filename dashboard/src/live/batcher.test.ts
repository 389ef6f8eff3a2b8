import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBatcher } from "./batcher";

describe("createBatcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("hands over a burst of 10,000 events in a few batches, none lost or reordered", () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number>(300, (items) => batches.push(items));
    // 10,000 events in 100 frames, one frame every 10 ms: one second of burst.
    for (let frame = 0; frame < 100; frame++) {
      batcher.push(Array.from({ length: 100 }, (_, i) => frame * 100 + i));
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(1000);
    expect(batches.flat()).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    // One second of events at most one batch per 300 ms: four, and one for the tail.
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(batches.length).toBeGreaterThan(1);
  });

  it("never hands over two batches closer than the interval", () => {
    const times: number[] = [];
    const batcher = createBatcher<number>(300, () => times.push(Date.now()));
    for (let t = 0; t < 3000; t += 7) {
      batcher.push([t]);
      vi.advanceTimersByTime(7);
    }
    vi.advanceTimersByTime(1000);
    const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(300);
  });

  it("delivers a lone event after a quiet spell promptly", () => {
    const batches: string[][] = [];
    const batcher = createBatcher<string>(300, (items) => batches.push(items));
    batcher.push(["a"]);
    vi.advanceTimersByTime(60);
    expect(batches).toEqual([["a"]]);
    vi.advanceTimersByTime(5000);
    batcher.push(["b"]);
    vi.advanceTimersByTime(60);
    expect(batches).toEqual([["a"], ["b"]]);
  });

  it("drops what is pending when stopped", () => {
    const onFlush = vi.fn();
    const batcher = createBatcher<number>(300, onFlush);
    batcher.push([1, 2]);
    batcher.stop();
    vi.advanceTimersByTime(1000);
    expect(onFlush).not.toHaveBeenCalled();
  });
});
