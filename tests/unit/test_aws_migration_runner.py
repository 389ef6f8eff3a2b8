"""The function that runs ``equeue migrate`` during a deploy, driven as CloudFormation's
provider framework drives it; only the ECS API is a stand-in (there is no AWS here)."""

from __future__ import annotations

from typing import Any

import pytest
from equeue_aws.migration_runner.index import PHYSICAL_ID, is_complete, on_event

TASK = "arn:aws:ecs:eu-west-1:123456789012:task/equeue/0f1e2d3c"
PROPS = {
    "Cluster": "equeue",
    "TaskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/migrate:7",
    "Subnets": ["subnet-1", "subnet-2"],
    "SecurityGroups": ["sg-1"],
    "Release": "v2",
}


class FakeEcs:
    """Answers like ECS: a task that runs, then stops with the given exit code."""

    def __init__(self, states: list[dict[str, Any]] | None = None, started: bool = True) -> None:
        self.states = states or []
        self.started = started
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def run_task(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("run_task", kwargs))
        if not self.started:
            return {"tasks": [], "failures": [{"reason": "RESOURCE:ENI"}]}
        return {"tasks": [{"taskArn": TASK}], "failures": []}

    def describe_tasks(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("describe_tasks", kwargs))
        return {"tasks": [{"taskArn": TASK, **self.states.pop(0)}]}


def event(kind: str, **extra: Any) -> dict[str, Any]:
    return {"RequestType": kind, "ResourceProperties": PROPS, **extra}


def test_a_release_starts_the_migration_task_in_the_private_subnets() -> None:
    ecs = FakeEcs()

    result = on_event(event("Update", PhysicalResourceId=PHYSICAL_ID), ecs=ecs)

    assert result == {"PhysicalResourceId": PHYSICAL_ID, "Data": {"TaskArn": TASK}}
    [(name, call)] = ecs.calls
    assert name == "run_task"
    assert call["taskDefinition"] == PROPS["TaskDefinition"]
    assert call["launchType"] == "FARGATE"
    assert call["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": ["subnet-1", "subnet-2"],
        "securityGroups": ["sg-1"],
        "assignPublicIp": "DISABLED",
    }


def test_the_deploy_waits_until_the_migrations_have_succeeded() -> None:
    ecs = FakeEcs(
        [
            {"lastStatus": "PROVISIONING"},
            {"lastStatus": "RUNNING", "containers": [{"name": "migrate"}]},
            {"lastStatus": "STOPPED", "containers": [{"name": "migrate", "exitCode": 0}]},
        ]
    )
    polled = event("Create", Data={"TaskArn": TASK})

    answers = [is_complete(polled, ecs=ecs) for _ in range(3)]

    assert answers == [{"IsComplete": False}, {"IsComplete": False}, {"IsComplete": True}]
    assert all(call["tasks"] == [TASK] for _, call in ecs.calls)


def test_a_failed_migration_fails_the_deploy_with_its_reason() -> None:
    ecs = FakeEcs(
        [
            {
                "lastStatus": "STOPPED",
                "stoppedReason": "Essential container in task exited",
                "containers": [{"name": "migrate", "exitCode": 1}],
            }
        ]
    )

    with pytest.raises(RuntimeError, match=r"exit codes \[1\].*Essential container"):
        is_complete(event("Update", Data={"TaskArn": TASK}), ecs=ecs)


def test_a_task_that_never_ran_fails_the_deploy() -> None:
    stopped = FakeEcs(
        [{"lastStatus": "STOPPED", "stoppedReason": "CannotPullContainerError", "containers": [{}]}]
    )
    with pytest.raises(RuntimeError, match="CannotPullContainerError"):
        is_complete(event("Create", Data={"TaskArn": TASK}), ecs=stopped)

    with pytest.raises(RuntimeError, match=r"did not start.*RESOURCE:ENI"):
        on_event(event("Create"), ecs=FakeEcs(started=False))


def test_deleting_the_stack_runs_nothing() -> None:
    ecs = FakeEcs()

    assert on_event(event("Delete", PhysicalResourceId=PHYSICAL_ID), ecs=ecs) == {
        "PhysicalResourceId": PHYSICAL_ID
    }
    assert is_complete(event("Delete", PhysicalResourceId=PHYSICAL_ID), ecs=ecs) == {
        "IsComplete": True
    }
    assert ecs.calls == []
