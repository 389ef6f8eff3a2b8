"""Managing schedules at run time: ``queue.admin.schedules`` (the API and the command line
go through it). Every change is decided on the database's clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from equeue import building, periodic
from equeue.errors import InvalidJobError
from equeue.job import Limits
from equeue.periodic import Schedule, ScheduleNotFoundError, ScheduleSpec
from equeue.storage import Storage
from equeue.task import TaskRegistry

#: What an update may change (``paused`` besides: see :meth:`Schedules.update`).
CHANGEABLE = frozenset(
    {"task", "cron", "timezone", "payload", "queue", "priority", "on_missed", "catch_up_limit"}
)


class ScheduleExistsError(periodic.InvalidScheduleError):
    """A schedule of this name exists already."""


class _Engine(Protocol):
    limits: Limits
    tasks: TaskRegistry
    allow_unknown_tasks: bool

    async def _storage(self) -> Storage: ...


class Schedules:
    """Create, read, change, pause, resume and delete the schedules of one queue."""

    def __init__(self, queue: _Engine) -> None:
        self._queue = queue

    async def list(self) -> list[Schedule]:
        """Every schedule, by name."""
        return await (await self._queue._storage()).list_schedules()

    async def get(self, name: str) -> Schedule:
        """The schedule ``name``; :class:`ScheduleNotFoundError` when there is none."""
        found = await (await self._queue._storage()).get_schedule(name)
        if found is None:
            raise _not_found(name)
        return found

    async def create(self, spec: ScheduleSpec, *, paused: bool = False) -> Schedule:
        """Write a new schedule, starting at its first tick after now;
        :class:`ScheduleExistsError` when the name is taken."""
        storage = await self._queue._storage()
        now = await storage.database_now()
        self._check_jobs(spec, now)
        await self._check_task(storage, spec.task)
        first = periodic.first_run(spec, now)
        created = await storage.create_schedule(spec, paused, first)
        if created is None:
            raise ScheduleExistsError(f"a schedule named {spec.name!r} exists already")
        return created

    async def update(
        self, name: str, changes: dict[str, Any], paused: bool | None = None
    ) -> Schedule:
        """Change a schedule's definition (keys of :data:`CHANGEABLE`) and paused flag.

        A new cron expression or time zone, or a resume, starts the schedule at its first
        tick after now: ticks that passed while it was paused are not run.
        """
        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise periodic.InvalidScheduleError(f"cannot change {sorted(unknown)}")
        storage = await self._queue._storage()
        if "task" in changes:
            await self._check_task(storage, changes["task"])

        def change(old: Schedule, now: datetime) -> tuple[ScheduleSpec, bool, datetime]:
            spec = replace(old.spec, **changes)
            self._check_jobs(spec, now)
            still_paused = old.paused if paused is None else paused
            moved = (spec.cron, spec.timezone) != (old.spec.cron, old.spec.timezone)
            resumed = old.paused and not still_paused
            next_run_at = periodic.first_run(spec, now) if moved or resumed else old.next_run_at
            return spec, still_paused, next_run_at

        changed = await storage.change_schedule(name, change)
        if changed is None:
            raise _not_found(name)
        return changed

    async def _check_task(self, storage: Storage, task: str) -> None:
        """Refuse a task no worker registered (unless unknown tasks are allowed, as for an
        enqueue): its jobs would wait for ever, one more at each tick."""
        if self._queue.allow_unknown_tasks or task in self._queue.tasks:
            return
        if task not in await storage.task_defaults([task]):
            raise periodic.InvalidScheduleError(
                f"no worker has registered task {task!r} (see allow_unknown_tasks)"
            )

    def _check_jobs(self, spec: ScheduleSpec, now: datetime) -> None:
        """Refuse a schedule whose jobs would be refused (a payload too large, a priority
        out of range), rather than have it fail at each tick."""
        options = {"queue": spec.queue, "priority": spec.priority, "tags": ["schedule:x"]}
        try:
            building.build(
                spec.task, periodic.tick_payload(spec, now), options, {}, self._queue.limits
            )
        except periodic.InvalidScheduleError:
            raise
        except InvalidJobError as exc:
            raise periodic.InvalidScheduleError(f"its jobs would be refused: {exc}") from None

    async def pause(self, name: str) -> Schedule:
        """Stop enqueueing the schedule's ticks until it is resumed."""
        return await self.update(name, {}, paused=True)

    async def resume(self, name: str) -> Schedule:
        """Enqueue the schedule's ticks again, from its first tick after now."""
        return await self.update(name, {}, paused=False)

    async def delete(self, name: str) -> None:
        """Delete a schedule (its jobs stay). A schedule of ``@queue.periodic`` comes back
        when a worker that defines it starts: remove it from the code too."""
        if not await (await self._queue._storage()).delete_schedule(name):
            raise _not_found(name)


def _not_found(name: str) -> ScheduleNotFoundError:
    return ScheduleNotFoundError(f"no schedule named {name!r}")
