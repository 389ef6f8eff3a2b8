"""The stack's parameters, read from CDK context (``cdk deploy -c imageTag=v1 ...``)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, fields
from typing import Any

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass(frozen=True)
class StackConfig:
    """Every parameter, with the default of a small production setup.

    The context key of each field is its name in camelCase (``image_tag`` ->
    ``imageTag``). Without ``image_tag`` the stack holds the infrastructure only (network,
    database, secrets, repository, cluster): deploy it once, push an image, then deploy
    again with the tag.
    """

    #: The image tag in the stack's ECR repository to run; empty: no services yet.
    image_tag: str = ""
    #: An existing VPC to use instead of a new one (its private subnets need a route out).
    vpc_id: str = ""
    #: NAT gateways of a new VPC (one is the cheapest; one per zone survives a zone).
    nat_gateways: int = 1
    #: An ACM certificate ARN: the load balancer then serves HTTPS and redirects HTTP.
    certificate_arn: str = ""
    #: Addresses allowed to reach the load balancer.
    allowed_cidr: str = "0.0.0.0/0"

    #: RDS for PostgreSQL: major.minor version, instance class, storage, availability.
    postgres_version: str = "17.9"
    db_instance_type: str = "t4g.small"
    db_storage_gb: int = 20
    db_max_storage_gb: int = 100
    multi_az: bool = True
    backup_days: int = 7
    deletion_protection: bool = True

    #: The workers: ``module:queue`` with the tasks, the queues they serve (empty: all),
    #: jobs per task, size, and the floor and ceiling of their scaling.
    worker_app: str = "equeue.demo:queue"
    worker_queues: str = ""
    worker_concurrency: int = 20
    worker_cpu: int = 512
    worker_memory_mib: int = 1024
    workers_min: int = 1
    workers_max: int = 10
    #: Scale out by one worker when this many jobs wait (by three at five times as many),
    #: in by one when none waits.
    scale_out_depth: int = 100
    #: Scale out by one worker when the oldest runnable job waited this long (by three at
    #: four times as long).
    scale_out_age_seconds: int = 30

    #: API tasks behind the load balancer, and their size.
    api_tasks: int = 2
    api_cpu: int = 256
    api_memory_mib: int = 512

    #: Alarm thresholds: jobs waiting, seconds the oldest waited, jobs failed for good in
    #: five minutes, API 5xx responses in five minutes. ``alarm_email`` gets them.
    alarm_queue_depth: int = 1000
    alarm_oldest_age_seconds: int = 300
    alarm_failed_jobs: int = 10
    alarm_api_5xx: int = 10
    alarm_email: str = ""

    #: Days CloudWatch Logs keeps the services' and the database's logs.
    log_retention_days: int = 30
    #: CloudWatch namespace of the queue metrics; empty: ``equeue/<stack name>``.
    metrics_namespace: str = ""

    @classmethod
    def from_context(cls, get: Any) -> StackConfig:
        """Read every field from ``get(context_key)`` (e.g. ``app.node.try_get_context``);
        values given on the command line arrive as strings and are converted here."""
        given: dict[str, Any] = {}
        for field in fields(cls):
            value = get(context_key(field.name))
            if value is not None:
                given[field.name] = _convert(field.name, field.type, value)
        return dataclasses.replace(cls(), **given)


def context_key(name: str) -> str:
    """``image_tag`` -> ``imageTag``."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _convert(name: str, kind: Any, value: Any) -> Any:
    text = str(value).strip()
    if kind in (bool, "bool"):
        if isinstance(value, bool):
            return value
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
    elif kind in (int, "int"):
        if re.fullmatch(r"-?\d+", text):
            return int(text)
    else:
        return text
    raise ValueError(f"context {context_key(name)}: {value!r} is not a valid {kind}")
