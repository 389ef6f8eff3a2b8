"""Chains and chords: jobs enqueued by the outcome of others (docs/chains.md).

A job may carry follow-ups: ``on_success``, enqueued when it succeeds, and
``on_failure``, enqueued when it fails for good (no attempts left). A chord is a group
of jobs with a callback, enqueued once when every member has finished. Both are job
specs, the dict of a batch item (``type``, ``payload``, ``queue``...), checked and
resolved against the task's defaults here, at enqueue; the database enqueues them, in
the transaction that ends the job (migration 0015).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from equeue import building
from equeue.errors import InvalidJobError, JobNotFoundError
from equeue.job import Job, Limits, NewJob, encode_json, uuid7
from equeue.job.chords import Chord, ChordMember
from equeue.storage import Connection, Storage

#: The keys of a follow-up's or a callback's spec: a batch item's, but for run_at and
#: dedupe_key (it is enqueued when its parent ends, once), and its own follow-ups.
SPEC_KEYS = frozenset(
    {
        "type",
        "payload",
        "queue",
        "priority",
        "delay",
        "max_attempts",
        "timeout",
        "tags",
        "on_success",
        "on_failure",
    }
)
LINKS = ("on_success", "on_failure")
_OPTIONS = ("queue", "priority", "delay", "max_attempts", "timeout", "tags")
#: How deeply follow-ups may nest: a chain of at most this many jobs after the first.
MAX_DEPTH = 20
#: The most members a chord may have (its row lists them, and so does the callback's
#: payload).
MAX_CHORD_MEMBERS = 10_000
#: The payload keys through which a follow-up learns of its parent, a callback of its
#: chord: no spec may set either.
RESERVED = ("parent", "chord")


class ChordNotFoundError(JobNotFoundError):
    """No chord has this id."""


def has_links(item: Mapping[str, Any]) -> bool:
    """Whether a batch item carries follow-ups."""
    return item.get("on_success") is not None or item.get("on_failure") is not None


def spec_names(spec: object, where: str, depth: int = 0) -> set[str]:
    """The task names of a spec and of its follow-ups, its shape checked on the way."""
    if not isinstance(spec, Mapping):
        raise InvalidJobError(f"{where} must be a job spec: an object with 'type'")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        why = ""
        if unknown & {"run_at", "dedupe_key"}:
            why = " (it is enqueued when its parent ends: no run_at, no dedupe_key)"
        raise InvalidJobError(f"{where}: unknown keys {sorted(unknown)}{why}")
    if not isinstance(spec.get("type"), str):
        raise InvalidJobError(f"{where}: 'type' (the task name) is required")
    if depth >= MAX_DEPTH:
        raise InvalidJobError(f"{where}: follow-ups nest at most {MAX_DEPTH} deep")
    names = {spec["type"]}
    for link in LINKS:
        if spec.get(link) is not None:
            names |= spec_names(spec[link], f"{where}.{link}", depth + 1)
    return names


def resolve(
    spec: Mapping[str, Any],
    where: str,
    defaults: building.Defaults,
    limits: Limits,
) -> dict[str, Any]:
    """A spec (its shape checked by :func:`spec_names`) validated as a job, with the
    task's defaults filled in: what the database enqueues as it is."""
    payload = spec.get("payload")
    if isinstance(payload, Mapping) and payload.keys() & set(RESERVED):
        taken = sorted(payload.keys() & set(RESERVED))
        raise InvalidJobError(
            f"{where}: the payload keys {', '.join(map(repr, RESERVED))} are reserved "
            f"(found {', '.join(map(repr, taken))}): equeue sets 'parent' on a follow-up, "
            "'chord' on a callback"
        )
    options = {key: spec[key] for key in _OPTIONS if key in spec}
    try:
        new = building.build(spec["type"], payload, options, defaults, limits)
    except InvalidJobError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    resolved: dict[str, Any] = {
        "task": new.task,
        "queue": new.queue,
        "payload": new.payload,
        "priority": new.priority,
        "max_attempts": new.max_attempts,
        "timeout": new.timeout,
        "delay": new.delay,
        "tags": new.tags,
    }
    for link in LINKS:
        if spec.get(link) is not None:
            resolved[link] = resolve(spec[link], f"{where}.{link}", defaults, limits)
    return resolved


class Links:
    """Enqueue jobs with follow-ups, and chords; read chords. A :class:`Queue` holds one."""

    def __init__(
        self,
        storage: Callable[[], Awaitable[Storage]],
        defaults: Callable[[set[str]], Awaitable[building.Defaults]],
        limits: Limits,
    ) -> None:
        self._storage = storage
        self._defaults = defaults
        self._limits = limits

    async def enqueue_many(
        self, items: list[Mapping[str, Any]], connection: Connection | None
    ) -> list[Job]:
        """Batch items (checked by :func:`building.check_items`), some with follow-ups,
        written with their links in one transaction."""
        jobs, _ = await self._write(items, None, connection)
        return jobs

    async def chord(
        self,
        items: list[Mapping[str, Any]],
        callback: Mapping[str, Any],
        connection: Connection | None,
    ) -> Chord:
        """See :meth:`equeue.queue.Queue.chord`."""
        building.check_items(items)
        if not 0 < len(items) <= MAX_CHORD_MEMBERS:
            raise InvalidJobError(f"a chord has 1 to {MAX_CHORD_MEMBERS} jobs, not {len(items)}")
        for index, item in enumerate(items):
            if item.get("dedupe_key") is not None:
                # A member deduplicated to another job would not be the chord's to count.
                raise InvalidJobError(f"job {index}: a chord's job takes no dedupe_key")
        _, chord = await self._write(items, callback, connection)
        assert chord is not None  # written with a callback
        return chord

    async def get_chord(self, chord_id: uuid.UUID) -> Chord:
        """A chord with its members as they are now; :class:`ChordNotFoundError` if none."""
        chord = await (await self._storage()).get_chord(chord_id)
        if chord is None:
            raise ChordNotFoundError(f"chord {chord_id} not found")
        return chord

    async def _write(
        self,
        items: list[Mapping[str, Any]],
        callback: Mapping[str, Any] | None,
        connection: Connection | None,
    ) -> tuple[list[Job], Chord | None]:
        names = {item["type"] for item in items}
        for index, item in enumerate(items):
            for link in LINKS:
                if item.get(link) is not None:
                    names |= spec_names(item[link], f"job {index}: {link}")
        if callback is not None:
            names |= spec_names(callback, "callback")
        defaults = await self._defaults(names)
        follow_ups = [
            self._follow_ups(item, f"job {index}", defaults) for index, item in enumerate(items)
        ]
        resolved = resolve(callback, "callback", defaults, self._limits) if callback else None
        plain: list[Mapping[str, Any]] = [
            {k: v for k, v in item.items() if k not in LINKS} for item in items
        ]
        news: list[NewJob] = list(building.build_each(plain, defaults, self._limits))
        chord_id = uuid7() if resolved is not None else None
        storage = await self._storage()
        created = None
        async with storage.linking(connection) as conn:
            jobs = await storage.insert_jobs(news, conn)
            if resolved is not None and chord_id is not None:
                members = [job.id for job in jobs]
                created = await storage.insert_chord(conn, chord_id, encode_json(resolved), members)
            links = []
            for job, links_of in zip(jobs, follow_ups, strict=True):
                if job.deduplicated or (links_of is None and chord_id is None):
                    continue  # a holder's links stay its own
                job.follow_ups, job.chord_id = links_of, chord_id
                links.append((job.id, encode_json(links_of) if links_of else None, chord_id))
            await storage.link_jobs(conn, links)
        if resolved is None or chord_id is None or created is None:
            return jobs, None
        members_now = [ChordMember(job.id, job.task, job.status.value) for job in jobs]
        return jobs, Chord(chord_id, resolved, len(jobs), created, members=members_now)

    def _follow_ups(
        self, item: Mapping[str, Any], where: str, defaults: building.Defaults
    ) -> dict[str, Any] | None:
        found = {
            link: resolve(item[link], f"{where}: {link}", defaults, self._limits)
            for link in LINKS
            if item.get(link) is not None
        }
        return found or None
