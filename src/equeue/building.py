"""From enqueue requests to validated new jobs: the caller's options over the task's
defaults, checked by :func:`~equeue.job.new_job`. Used by :class:`~equeue.queue.Queue`."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from equeue.errors import InvalidJobError, UnknownTaskError
from equeue.job import Limits, NewJob, new_job, new_job_like, uuid7_many
from equeue.retry import Backoff
from equeue.task import Task, TaskRegistry

#: The keys of one item of a batch enqueue (the REST API's job body).
JOB_KEYS = frozenset(
    {
        "type",
        "payload",
        "queue",
        "priority",
        "delay",
        "run_at",
        "max_attempts",
        "timeout",
        "dedupe_key",
        "tags",
        "group",
        "on_success",
        "on_failure",
    }
)
_TYPE_AND_PAYLOAD = frozenset({"type", "payload"})
#: The options of a job whose task nobody registered (when unknown tasks are allowed).
GENERIC_DEFAULTS: dict[str, Any] = {
    "queue": "default",
    "priority": 0,
    "max_attempts": 5,
    "timeout": None,
}
#: How long the defaults of a task registered by a worker elsewhere are trusted.
REMOTE_TASK_TTL = 60.0

Defaults = dict[str, dict[str, Any]]


def check_items(items: list[Mapping[str, Any]]) -> None:
    """Refuse a batch item with unknown keys or without a task name, naming its index."""
    for index, item in enumerate(items):
        if not item.keys() <= JOB_KEYS:
            unknown = sorted(set(item) - JOB_KEYS)
            raise InvalidJobError(f"job {index}: unknown keys {unknown}")
        if not isinstance(item.get("type"), str):
            raise InvalidJobError(f"job {index}: 'type' (the task name) is required")


def is_plain(item: Mapping[str, Any]) -> bool:
    """Runnable at once and without a dedupe key: such jobs can be written by COPY."""
    get = item.get
    return get("delay") is None and get("run_at") is None and get("dedupe_key") is None


def build(
    name: str,
    payload: Mapping[str, Any] | None,
    options: dict[str, Any],
    defaults: Defaults,
    limits: Limits,
    job_id: uuid.UUID | None = None,
) -> NewJob:
    """One job: ``options`` that are set (and ``timeout``, even None) over the task's
    defaults."""
    merged = dict(defaults.get(name, GENERIC_DEFAULTS))
    for key, value in options.items():
        if value is not None or key == "timeout":
            merged[key] = value
    return new_job(name, payload, limits=limits, job_id=job_id, **merged)


def build_each(
    items: list[Mapping[str, Any]], defaults: Defaults, limits: Limits
) -> Iterator[NewJob]:
    """Each item validated and built, in order; errors name the item's index."""
    ids = uuid7_many(len(items))
    # Jobs that bring no options of their own share their task's, checked once.
    templates: dict[str, NewJob] = {}
    for index, item in enumerate(items):
        try:
            if item.keys() <= _TYPE_AND_PAYLOAD:
                name = item["type"]
                template = templates.get(name)
                if template is None:
                    template = templates[name] = build(name, None, {}, defaults, limits)
                yield new_job_like(template, item.get("payload"), ids[index], limits)
                continue
            options = {k: v for k, v in item.items() if k != "type" and k != "payload"}
            yield build(item["type"], item.get("payload"), options, defaults, limits, ids[index])
        except InvalidJobError as exc:
            raise InvalidJobError(f"job {index}: {exc}") from None


class TaskDefaults:
    """Default job options per task name: from this process's registry, else from what
    workers registered in the database (remembered for :data:`REMOTE_TASK_TTL`)."""

    def __init__(self, read: Callable[[list[str]], Awaitable[Defaults]]) -> None:
        self._read = read
        self._remote: dict[str, tuple[float, dict[str, Any]]] = {}  # name -> (read at, options)

    async def of(self, names: set[str], tasks: TaskRegistry, allow_unknown: bool) -> Defaults:
        """The defaults of each name, from ``tasks`` first; raises
        :class:`UnknownTaskError` for a name nobody registered, unless ``allow_unknown``
        (then it has the generic defaults)."""
        found: Defaults = {}
        stale: set[str] = set()
        now = time.monotonic()
        for name in names:
            task = tasks.get(name)
            cached = self._remote.get(name)
            if task is not None:
                found[name] = task.defaults()
            elif cached is not None and now - cached[0] < REMOTE_TASK_TTL:
                found[name] = cached[1]
            else:
                stale.add(name)
        if stale:
            for name, defaults in (await self._read(sorted(stale))).items():
                self._remote[name] = (now, defaults)
                found[name] = defaults
        missing = names - set(found)
        if missing and not allow_unknown:
            raise UnknownTaskError(
                f"no worker has registered the task {', '.join(sorted(missing))}: check the "
                "name, or allow unknown tasks to enqueue ahead of a deploy"
            )
        return found


def define_task(
    fn: Callable[..., Any],
    name: str | None,
    *,
    queue: str,
    priority: int,
    max_attempts: int,
    timeout: float | None,
    retry: Backoff,
    limits: Limits,
    group: str | None = None,
) -> Task[Any, Any]:
    """The task of ``fn`` (named after its module and qualified name by default), its
    defaults checked now, at import time, rather than at the first enqueue."""
    task_name = name or f"{fn.__module__}.{fn.__qualname__}"
    new_job(
        task_name,
        {},
        queue=queue,
        priority=priority,
        max_attempts=max_attempts,
        timeout=timeout,
        limits=limits,
        group=group,
    )
    return Task(
        name=task_name,
        func=fn,
        queue=queue,
        priority=priority,
        max_attempts=max_attempts,
        timeout=timeout,
        retry=retry,
        group=group,
    )
