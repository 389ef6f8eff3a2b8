// The enqueue form: a task from the registry, a JSON payload checked as it is typed, and
// the options; nothing is sent while something is wrong.
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { useLocation, useSearch } from "wouter";
import { api, messageOf, unwrap } from "../api/client";
import type { JobRequest, Task } from "../api/types";
import { useAuth } from "../auth/Auth";
import { keys } from "../live/applyEvents";
import { ErrorNote, Page } from "../ui/bits";
import { useTasks } from "../views/Tasks";
import { buildRequest, checkPayload, type EnqueueForm, type FormErrors } from "./payload";

const EMPTY: EnqueueForm = { type: "", payload: "{}", queue: "", priority: "", delay: "", maxAttempts: "", dedupeKey: "" };

function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, error?: string): string {
  return error ? `${id}-error` : `${id}-hint`;
}

export function EnqueueView() {
  const { canWrite } = useAuth();
  const search = useSearch();
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const tasks = useTasks();
  const [form, setForm] = useState<EnqueueForm>(() => ({
    ...EMPTY,
    type: new URLSearchParams(search).get("type") ?? "",
  }));
  const [errors, setErrors] = useState<FormErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!canWrite) {
    return (
      <Page title="Enqueue a job">
        <p>This key may only read: it cannot enqueue.</p>
      </Page>
    );
  }
  const task: Task | undefined = tasks.data?.find((t) => t.name === form.type);
  const set = (name: keyof EnqueueForm) => (event: { target: { value: string } }) => {
    const next = { ...form, [name]: event.target.value };
    setForm(next);
    if (name === "payload") {
      const checked = checkPayload(next.payload);
      setErrors({ ...errors, payload: checked.ok ? undefined : checked.message });
    } else if (errors[name]) {
      setErrors({ ...errors, [name]: undefined });
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const built = buildRequest(form);
    setErrors(built.errors);
    if (!built.ok) return;
    setBusy(true);
    try {
      const job = await unwrap(api.POST("/v1/jobs", { body: built.value as JobRequest }));
      void client.invalidateQueries({ queryKey: keys.jobs });
      navigate(`/jobs/${job.id}`);
    } catch (thrown) {
      setFailure(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Enqueue a job">
      <form className="enqueue" onSubmit={submit} noValidate>
        <Field id="task" label="Task" error={errors.type} hint={tasks.data?.length === 0 ? "no worker has registered a task yet" : undefined}>
          <select id="task" value={form.type} onChange={set("type")} aria-invalid={Boolean(errors.type)} aria-describedby={describedBy("task", errors.type)}>
            <option value="">Choose a task…</option>
            {(tasks.data ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
            {form.type && !task && tasks.data && <option value={form.type}>{form.type}</option>}
          </select>
        </Field>
        {tasks.isError && <ErrorNote error={tasks.error} />}
        <Field id="payload" label="Payload (JSON object)" error={errors.payload} hint="The task's keyword arguments.">
          <textarea
            id="payload"
            rows={8}
            spellCheck={false}
            value={form.payload}
            onChange={set("payload")}
            aria-invalid={Boolean(errors.payload)}
            aria-describedby={describedBy("payload", errors.payload)}
          />
        </Field>
        <div className="grid">
          <Field id="queue" label="Queue" error={errors.queue} hint={`default: ${task?.queue ?? "the task's"}`}>
            <input id="queue" value={form.queue} onChange={set("queue")} spellCheck={false} aria-describedby={describedBy("queue", errors.queue)} />
          </Field>
          <Field id="priority" label="Priority (−100…100)" error={errors.priority} hint={`default: ${task?.priority ?? 0}; higher runs first`}>
            <input id="priority" inputMode="numeric" value={form.priority} onChange={set("priority")} aria-invalid={Boolean(errors.priority)} aria-describedby={describedBy("priority", errors.priority)} />
          </Field>
          <Field id="delay" label="Delay (seconds)" error={errors.delay} hint="default: run now">
            <input id="delay" inputMode="decimal" value={form.delay} onChange={set("delay")} aria-invalid={Boolean(errors.delay)} aria-describedby={describedBy("delay", errors.delay)} />
          </Field>
          <Field id="max-attempts" label="Max attempts" error={errors.maxAttempts} hint={`default: ${task?.max_attempts ?? "the task's"}`}>
            <input id="max-attempts" inputMode="numeric" value={form.maxAttempts} onChange={set("maxAttempts")} aria-invalid={Boolean(errors.maxAttempts)} aria-describedby={describedBy("max-attempts", errors.maxAttempts)} />
          </Field>
          <Field id="dedupe" label="Dedupe key" error={errors.dedupeKey} hint="an unfinished job holding it is returned instead">
            <input id="dedupe" value={form.dedupeKey} onChange={set("dedupeKey")} spellCheck={false} aria-describedby={describedBy("dedupe", errors.dedupeKey)} />
          </Field>
        </div>
        {failure && (
          <p role="alert" className="error">
            The API refused the job: {failure}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Enqueueing…" : "Enqueue"}
        </button>
      </form>
    </Page>
  );
}
