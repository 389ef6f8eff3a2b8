"""Runs ``equeue migrate`` as a one-off ECS task during a deploy, and waits for it.

A CloudFormation custom resource (the CDK provider framework) calls ``on_event`` when the
release changes, then ``is_complete`` until the task has stopped. The services depend on
the custom resource, so they roll only after the migrations succeeded; a failed migration
fails the deploy, and CloudFormation rolls back to the release that ran before.
"""

from __future__ import annotations

import importlib
from typing import Any

PHYSICAL_ID = "equeue-migrations"


def _ecs() -> Any:
    boto3 = importlib.import_module("boto3")  # part of the Lambda runtime
    return boto3.client("ecs")


def on_event(event: dict[str, Any], _context: object = None, ecs: Any = None) -> dict[str, Any]:
    """Start the migration task on create and update; nothing to undo on delete."""
    if event["RequestType"] == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_ID)}
    props = event["ResourceProperties"]
    response = (ecs or _ecs()).run_task(
        cluster=props["Cluster"],
        taskDefinition=props["TaskDefinition"],
        launchType="FARGATE",
        count=1,
        startedBy="equeue-migrate",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": props["Subnets"],
                "securityGroups": props["SecurityGroups"],
                "assignPublicIp": "DISABLED",
            }
        },
    )
    tasks = response.get("tasks") or []
    if not tasks:
        raise RuntimeError(f"the migration task did not start: {response.get('failures')}")
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": {"TaskArn": tasks[0]["taskArn"]}}


def is_complete(event: dict[str, Any], _context: object = None, ecs: Any = None) -> dict[str, Any]:
    """Done when the task has stopped with exit code 0; an error when it stopped otherwise."""
    if event["RequestType"] == "Delete":
        return {"IsComplete": True}
    task_arn = event["Data"]["TaskArn"]
    described = (ecs or _ecs()).describe_tasks(
        cluster=event["ResourceProperties"]["Cluster"], tasks=[task_arn]
    )
    [task] = described["tasks"]
    if task["lastStatus"] != "STOPPED":
        return {"IsComplete": False}
    codes = [c.get("exitCode") for c in task.get("containers", [])]
    if codes and all(code == 0 for code in codes):
        return {"IsComplete": True}
    raise RuntimeError(
        f"equeue migrate failed (task {task_arn}, exit codes {codes}, "
        f"{task.get('stoppedReason', 'no reason given')}): see its log in CloudWatch Logs"
    )
