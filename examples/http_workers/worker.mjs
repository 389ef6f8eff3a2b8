#!/usr/bin/env node
// A worker for equeue in Node.js (18 or later), with nothing but the standard library:
// it claims jobs of one queue over HTTP in batches, runs them, renews each job's lease
// while it runs, and reports how each ended. The protocol is in docs/api.md ("Workers
// over HTTP"); every report carries the lease token the claim gave, and a report whose
// lease was lost meanwhile is refused with 409 and changes nothing.
//
//   EQUEUE_URL=http://127.0.0.1:8000 EQUEUE_KEY=eqk_... node worker.mjs [run | stale-demo]
//
// Settings (environment): QUEUE (node-jobs), WORKER (this worker's id), BATCH (jobs per
// claim, 1-100: 100), LEASE (seconds, 30), WAIT (seconds a claim waits for jobs, 20),
// EXIT_WHEN_IDLE (set: stop after a claim that found nothing). SIGTERM or SIGINT: finish
// the jobs in hand, then stop.

import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

const env = process.env;
const config = {
  url: required("EQUEUE_URL").replace(/\/$/, ""),
  key: required("EQUEUE_KEY"),
  queue: env.QUEUE ?? "node-jobs",
  worker: env.WORKER ?? `node-${os.hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, "-"),
  batch: Number(env.BATCH ?? 100),
  lease: Number(env.LEASE ?? 30),
  wait: Number(env.WAIT ?? 20),
  exitWhenIdle: Boolean(env.EXIT_WHEN_IDLE),
};

// The tasks this worker runs, by job type: each gets the job's payload and returns its
// result (any JSON value). A task that throws fails its attempt.
const tasks = {
  "example.square": async ({ n }) => ({ square: n * n }),
  "example.sleep": async ({ seconds }, { signal }) => {
    await sleep(seconds * 1000, undefined, { signal });
    return { slept: seconds };
  },
};

function required(name) {
  if (!env[name]) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return env[name];
}

// One request to the API: the status and the decoded answer. Beyond its key's rate limit
// the API answers 429 with Retry-After: wait that long, and ask again.
async function call(method, path, body) {
  for (;;) {
    const response = await fetch(config.url + path, {
      method,
      headers: { "x-api-key": config.key, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 429) return { status: response.status, answer: await response.json() };
    await response.body?.cancel();
    await sleep(1000 * Number(response.headers.get("retry-after") ?? 1));
  }
}

function describe({ status, answer }) {
  return `${status} ${answer.error?.code}: ${answer.error?.message}`;
}

async function claim({ limit = config.batch, lease = config.lease, wait = config.wait } = {}) {
  const query = new URLSearchParams({ worker: config.worker, limit, lease, wait });
  const answered = await call("POST", `/v1/queues/${config.queue}/claim?${query}`);
  if (answered.status !== 200) throw new Error(`claim refused: ${describe(answered)}`);
  return answered.answer.items;
}

// complete or fail: true when it landed, false when the lease was lost (409).
async function report(job, outcome, body) {
  const answered = await call("POST", `/v1/jobs/${job.id}/${outcome}`, {
    token: job.lease_token,
    ...body,
  });
  if (answered.status === 200) return true;
  if (answered.status === 409) {
    console.log(`${outcome} of ${job.id} refused: ${describe(answered)}`);
    return false;
  }
  throw new Error(`${outcome} of ${job.id}: ${describe(answered)}`);
}

// Renew the lease every third of it while the task runs; stop the task when the lease is
// lost or a cancel is asked for.
function keepLease(job, stop) {
  const renew = async () => {
    const path = `/v1/jobs/${job.id}/heartbeat?worker=${config.worker}`;
    const beat = await call("POST", path, { token: job.lease_token, lease: config.lease });
    if (beat.status === 409) stop("lease lost");
    else if (beat.answer.cancel_requested) stop("cancel requested");
  };
  const every = (config.lease * 1000) / 3;
  const timer = setInterval(() => renew().catch((error) => console.error(error)), every);
  return () => clearInterval(timer);
}

function firstLine(error) {
  return String(error?.message ?? error).split("\n")[0].slice(0, 1000) || "failed";
}

async function runJob(job) {
  console.log(`started ${job.id} ${job.type} (attempt ${job.attempt})`);
  const stopping = new AbortController();
  let lost = false;
  const stopRenewing = keepLease(job, (reason) => {
    lost ||= reason === "lease lost";
    stopping.abort();
  });
  let outcome;
  try {
    const task = tasks[job.type];
    if (!task) throw new Error(`this worker has no task ${job.type}`);
    outcome = ["complete", { result: await task(job.payload, { signal: stopping.signal }) }];
  } catch (error) {
    outcome = ["fail", { error: firstLine(error), detail: String(error?.stack ?? error) }];
  } finally {
    stopRenewing();
  }
  if (lost) {
    console.log(`abandoned ${job.id}: its lease was lost, the job is someone else's now`);
    return;
  }
  try {
    await report(job, ...outcome);
  } catch (error) {
    console.error(`${firstLine(error)}: the job runs again once its lease lapses`);
  }
}

async function run() {
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => (stopping = true));
  while (!stopping) {
    let jobs;
    try {
      jobs = await claim();
    } catch (error) {
      console.error(`claim failed (${firstLine(error)}); trying again in a second`);
      await sleep(1000);
      continue;
    }
    if (jobs.length === 0 && config.exitWhenIdle) break;
    await Promise.all(jobs.map(runJob));
  }
}

// A worker that stalls past its lease: the job is taken back and claimed again, and the
// stalled worker's late completion is refused with 409. Needs a queue holding one job.
async function staleDemo() {
  const [stale] = await claim({ limit: 1, lease: 1, wait: 10 });
  if (!stale) throw new Error(`no job in ${config.queue}`);
  console.log(`claimed ${stale.id} with a lease of 1 s, and stalled`);
  // Waits until the lease lapsed and a worker's maintenance took the job back.
  const [fresh] = await claim({ limit: 1, wait: 20 });
  if (fresh?.id !== stale.id) throw new Error("the job did not come back");
  console.log(`claimed ${fresh.id} again, as attempt ${fresh.attempt}`);
  if (await report(stale, "complete", { result: "late" })) {
    throw new Error("the stale token was accepted");
  }
  if (!(await report(fresh, "complete", { result: "on time" }))) {
    throw new Error("the fresh token was refused");
  }
  console.log(`completed ${fresh.id} as attempt ${fresh.attempt}`);
}

const modes = { run, "stale-demo": staleDemo };
const mode = modes[process.argv[2] ?? "run"];
if (!mode) {
  console.error("usage: node worker.mjs [run | stale-demo]");
  process.exit(2);
}
await mode();
