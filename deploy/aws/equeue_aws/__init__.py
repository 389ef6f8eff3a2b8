"""equeue on AWS: one CDK stack with ECR, ECS on Fargate, RDS for PostgreSQL and CloudWatch."""

from __future__ import annotations

from equeue_aws.config import StackConfig
from equeue_aws.stack import EqueueStack, build_app

__all__ = ["EqueueStack", "StackConfig", "build_app"]
