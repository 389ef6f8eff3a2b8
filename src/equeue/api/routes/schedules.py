"""Schedules of periodic jobs: list, read, create, change, pause, resume and delete them
(docs/periodic.md). Reading takes a read key; every change an admin key, and is audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Path, Response

from equeue.api.errors import ApiError, error_responses
from equeue.api.models import ScheduleChange, ScheduleIn, ScheduleList, ScheduleOut
from equeue.api.models.schedules import ScheduleName
from equeue.api.routing import KEYED, AdminKey, ApiState, Audit, ReadKey
from equeue.audit import Action
from equeue.periodic import InvalidScheduleError, ScheduleNotFoundError, ScheduleSpec
from equeue.scheduling import ScheduleExistsError

NameIn = Annotated[ScheduleName, Path(description="the schedule's name")]


@contextmanager
def _refusals() -> Iterator[None]:
    """The schedules' own errors as answers: 404, 409 and 422 with the reason."""
    try:
        yield
    except ScheduleNotFoundError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except ScheduleExistsError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    except InvalidScheduleError as exc:
        raise ApiError(422, "invalid_schedule", str(exc)) from None


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of schedules, on ``router``."""
    schedules = state.queue.admin.schedules

    @router.get(
        "/v1/schedules",
        response_model=ScheduleList,
        tags=["schedules"],
        responses=error_responses(*KEYED),
    )
    async def list_schedules(_: ReadKey) -> ScheduleList:
        """Every schedule, with its next tick and its last run."""
        return ScheduleList(items=[ScheduleOut.of(s) for s in await schedules.list()])

    @router.post(
        "/v1/schedules",
        status_code=201,
        response_model=ScheduleOut,
        tags=["schedules"],
        responses=error_responses(400, *KEYED, 409, 413),
    )
    async def create_schedule(body: ScheduleIn, _: AdminKey, audit: Audit) -> ScheduleOut:
        """Create a schedule; it starts at its first tick after now."""
        with _refusals():
            definition = body.model_dump(exclude={"paused"})
            created = await schedules.create(ScheduleSpec(**definition), paused=body.paused)
        await audit(Action.SCHEDULE_CREATE, target={"schedule": body.name, "cron": body.cron})
        return ScheduleOut.of(created)

    @router.get(
        "/v1/schedules/{name}",
        response_model=ScheduleOut,
        tags=["schedules"],
        responses=error_responses(*KEYED, 404),
    )
    async def get_schedule(name: NameIn, _: ReadKey) -> ScheduleOut:
        """One schedule."""
        with _refusals():
            return ScheduleOut.of(await schedules.get(name))

    @router.patch(
        "/v1/schedules/{name}",
        response_model=ScheduleOut,
        tags=["schedules"],
        responses=error_responses(400, *KEYED, 404, 413),
    )
    async def update_schedule(
        name: NameIn, body: ScheduleChange, _: AdminKey, audit: Audit
    ) -> ScheduleOut:
        """Change a schedule. A new cron expression or time zone, or a resume, starts it at
        its first tick after now."""
        changes = body.definition()
        with _refusals():
            changed = await schedules.update(name, changes, paused=body.paused)
        # A payload may carry what the trail's readers need not see: only its change is.
        target = {"schedule": name, **{k: v for k, v in changes.items() if k != "payload"}}
        if "payload" in changes:
            target["payload"] = "changed"
        if body.paused is not None:
            target["paused"] = body.paused
        await audit(Action.SCHEDULE_UPDATE, target=target)
        return ScheduleOut.of(changed)

    @router.post(
        "/v1/schedules/{name}/pause",
        response_model=ScheduleOut,
        tags=["schedules"],
        responses=error_responses(*KEYED, 404, 413),
    )
    async def pause_schedule(name: NameIn, _: AdminKey, audit: Audit) -> ScheduleOut:
        """Stop enqueueing the schedule's ticks."""
        with _refusals():
            paused = await schedules.pause(name)
        await audit(Action.SCHEDULE_PAUSE, target={"schedule": name})
        return ScheduleOut.of(paused)

    @router.post(
        "/v1/schedules/{name}/resume",
        response_model=ScheduleOut,
        tags=["schedules"],
        responses=error_responses(*KEYED, 404, 413),
    )
    async def resume_schedule(name: NameIn, _: AdminKey, audit: Audit) -> ScheduleOut:
        """Enqueue the schedule's ticks again, from its first tick after now (the ticks
        that passed while it was paused are not run)."""
        with _refusals():
            resumed = await schedules.resume(name)
        await audit(Action.SCHEDULE_RESUME, target={"schedule": name})
        return ScheduleOut.of(resumed)

    @router.delete(
        "/v1/schedules/{name}",
        status_code=204,
        tags=["schedules"],
        responses=error_responses(*KEYED, 404),
    )
    async def delete_schedule(name: NameIn, _: AdminKey, audit: Audit) -> Response:
        """Delete a schedule (its jobs stay)."""
        with _refusals():
            await schedules.delete(name)
        await audit(Action.SCHEDULE_DELETE, target={"schedule": name})
        return Response(status_code=204)
