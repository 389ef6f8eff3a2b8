"""Tasks: named functions a worker can run, with their default job options."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar

from equeue.retry import DEFAULT_BACKOFF, Backoff

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Task(Generic[P, R]):
    """A registered task. Calling it calls the function directly (handy in tests)."""

    name: str
    func: Callable[P, R]
    queue: str = "default"
    priority: int = 0
    max_attempts: int = 5
    timeout: float | None = None
    retry: Backoff = DEFAULT_BACKOFF
    #: Async functions run on the worker's event loop; plain ones in its thread pool.
    is_async: bool = field(init=False)
    #: The group of its jobs that give none (docs/limits.md: group_concurrency).
    group: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_async", inspect.iscoroutinefunction(self.func))

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def defaults(self) -> dict[str, Any]:
        """The job options this task gives a job that does not set its own."""
        return {
            "queue": self.queue,
            "priority": self.priority,
            "max_attempts": self.max_attempts,
            "timeout": self.timeout,
            **({"group": self.group} if self.group is not None else {}),
        }


class TaskRegistry:
    """Tasks by name."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task[Any, Any]] = {}

    def add(self, task: Task[Any, Any]) -> None:
        existing = self._tasks.get(task.name)
        if existing is not None and existing.func is not task.func:
            raise ValueError(f"a different function is already registered as {task.name!r}")
        self._tasks[task.name] = task

    def get(self, name: str) -> Task[Any, Any] | None:
        return self._tasks.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._tasks

    def __iter__(self) -> Any:
        return iter(self._tasks.values())

    def __len__(self) -> int:
        return len(self._tasks)

    def names(self) -> list[str]:
        return sorted(self._tasks)
