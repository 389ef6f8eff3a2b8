"""The stack: network, RDS for PostgreSQL, secrets, ECR, ECS on Fargate, CloudWatch.

Roles, all from the one image in the stack's ECR repository:

- ``migrate``: a one-off task run by a custom resource before the services roll;
- ``api``: ``equeue api`` behind an Application Load Balancer, health check ``/readyz``;
- ``worker``: ``equeue worker``, scaled on the queue's depth and oldest job age;
- ``exporter``: ``python -m equeue.cloudwatch``, which publishes those metrics.

Every cdk-nag suppression sits next to what it concerns, with its reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import (
    aws_applicationautoscaling as appscaling,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cloudwatch_actions as cw_actions,
)
from aws_cdk import (
    aws_ec2 as ec2,
)
from aws_cdk import (
    aws_ecr as ecr,
)
from aws_cdk import (
    aws_ecs as ecs,
)
from aws_cdk import (
    aws_elasticloadbalancingv2 as elbv2,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_lambda as lambda_,
)
from aws_cdk import (
    aws_logs as logs,
)
from aws_cdk import (
    aws_rds as rds,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import (
    aws_sns_subscriptions as subscriptions,
)
from aws_cdk import (
    custom_resources as cr,
)
from cdk_nag import AwsSolutionsChecks
from constructs import Construct, IConstruct

from equeue_aws.config import StackConfig
from equeue_aws.database import QUEUE_PARAMETERS

API_PORT = 8000
DB_NAME = "equeue"
DB_USER = "equeue"
#: ECS stops a task with SIGTERM, then SIGKILL after this long (the Fargate maximum).
WORKER_STOP_SECONDS = 120
#: How long a stopping worker lets running jobs finish; below the stop timeout so that
#: jobs still running are released to other workers before the SIGKILL.
WORKER_SHUTDOWN_GRACE = 100
METRICS_INTERVAL_SECONDS = 60
#: The retention periods CloudWatch Logs offers, by days.
RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
}
RUNNER_CODE = Path(__file__).parent / "migration_runner"


def suppress(
    construct: IConstruct, reasons: dict[str, str], findings: list[str] | None = None
) -> None:
    """Accept cdk-nag findings on ``construct``, each with the reason it is accepted.

    ``findings`` narrows a rule to the findings named (``AwsSolutions-IAM5[Resource::*]``).
    """
    for rule, reason in reasons.items():
        for finding in findings or [""]:
            cdk.Validations.of(construct).acknowledge(
                cdk.Acknowledgment(id=f"AwsSolutions::{rule}{finding}", reason=reason)
            )


class EqueueStack(cdk.Stack):
    """equeue on ECS Fargate with RDS for PostgreSQL; see docs/deploy.md."""

    def __init__(
        self, scope: Construct, construct_id: str, config: StackConfig, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        self.namespace = config.metrics_namespace or f"equeue/{self.stack_name}"
        self.vpc = self._network()
        self.database = self._database()
        self.api_key = self._generated_secret(
            "ApiKey", "The admin API key (x-api-key) of equeue's API"
        )
        self.token_secret = self._generated_secret(
            "TokenSecret", "Signs the API's events tokens; the same on every API task"
        )
        self.repository = self._repository()
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=self.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        self.alarm_topic = self._alarm_topic()
        cdk.CfnOutput(self, "RepositoryUri", value=self.repository.repository_uri)
        cdk.CfnOutput(self, "ClusterName", value=self.cluster.cluster_name)
        cdk.CfnOutput(self, "ApiKeySecretArn", value=self.api_key.secret_arn)
        cdk.CfnOutput(self, "MetricsNamespace", value=self.namespace)
        if config.image_tag:
            self._release(config.image_tag)
        self._accept_log_retention_function()

    def _accept_log_retention_function(self) -> None:
        """CDK's own function that sets the retention of the database's log groups."""
        for child in self.node.children:
            if child.node.id.startswith("LogRetention"):
                suppress(
                    child,
                    {
                        "AwsSolutions-IAM4": "CDK's log retention function writes its own "
                        "logs with the AWS managed basic execution role.",
                    },
                    findings=[
                        "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSLambdaBasicExecutionRole]"
                    ],
                )
                suppress(
                    child,
                    {
                        "AwsSolutions-IAM5": "CDK's log retention function sets the retention "
                        "of log groups RDS creates, whose names it cannot know in advance.",
                    },
                    findings=["[Resource::*]"],
                )

    # --- infrastructure -------------------------------------------------------------------

    def _network(self) -> ec2.IVpc:
        if self.config.vpc_id:
            return ec2.Vpc.from_lookup(self, "Vpc", vpc_id=self.config.vpc_id)
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=self.config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="tasks", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
                ec2.SubnetConfiguration(
                    name="database", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=26
                ),
            ],
        )
        vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self._log_group("FlowLogs")),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        return vpc

    def _database_subnets(self) -> ec2.SubnetSelection:
        """Isolated subnets when the VPC has them (no route to or from the internet)."""
        if self.vpc.isolated_subnets:
            return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

    def _database(self) -> rds.DatabaseInstance:
        engine = rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(
                self.config.postgres_version, self.config.postgres_version.split(".")[0]
            )
        )
        parameters = rds.ParameterGroup(
            self,
            "QueueParameters",
            engine=engine,
            description="equeue: PostgreSQL tuned for a job queue",
            parameters=QUEUE_PARAMETERS,
        )
        database = rds.DatabaseInstance(
            self,
            "Database",
            engine=engine,
            instance_type=ec2.InstanceType(self.config.db_instance_type),
            vpc=self.vpc,
            vpc_subnets=self._database_subnets(),
            publicly_accessible=False,
            credentials=rds.Credentials.from_generated_secret(
                DB_USER, exclude_characters=" %+~`#$&*()|[]{}:;<>?!'/@\"\\"
            ),
            database_name=DB_NAME,
            parameter_group=parameters,
            storage_type=rds.StorageType.GP3,
            allocated_storage=self.config.db_storage_gb,
            max_allocated_storage=self.config.db_max_storage_gb,
            storage_encrypted=True,
            multi_az=self.config.multi_az,
            backup_retention=cdk.Duration.days(self.config.backup_days),
            deletion_protection=self.config.deletion_protection,
            removal_policy=cdk.RemovalPolicy.SNAPSHOT,
            cloudwatch_logs_exports=["postgresql", "upgrade"],
            cloudwatch_logs_retention=self._retention(),
            auto_minor_version_upgrade=True,
        )
        suppress(
            database,
            {
                "AwsSolutions-RDS11": "The port is no secret worth hiding: the database is in "
                "private subnets and its security group admits only equeue's tasks.",
                "AwsSolutions-SMG4": "Tasks read the password when they start: an automatic "
                "rotation would lock out new connections of running tasks. Rotate by hand "
                "and redeploy the services (docs/deploy.md).",
            },
        )
        cdk.CfnOutput(self, "DatabaseEndpoint", value=database.db_instance_endpoint_address)
        return database

    def _generated_secret(self, construct_id: str, description: str) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=48
            ),
        )
        suppress(
            secret,
            {
                "AwsSolutions-SMG4": "Tasks read it when they start; rotate by hand and "
                "redeploy the services (docs/deploy.md)."
            },
        )
        return secret

    def _repository(self) -> ecr.Repository:
        return ecr.Repository(
            self,
            "Repository",
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            lifecycle_rules=[ecr.LifecycleRule(max_image_count=30, description="keep 30 releases")],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def _retention(self) -> logs.RetentionDays:
        days = self.config.log_retention_days
        if days not in RETENTION:
            raise ValueError(f"logRetentionDays must be one of {sorted(RETENTION)}, not {days}")
        return RETENTION[days]

    def _log_group(self, construct_id: str) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            construct_id,
            retention=self._retention(),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    def _alarm_topic(self) -> sns.Topic:
        key = kms.Key(self, "AlarmKey", enable_key_rotation=True, description="equeue alarm topic")
        # CloudWatch publishes alarm notifications to the encrypted topic with this key.
        key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
        )
        topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True)
        if self.config.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(self.config.alarm_email))
        cdk.CfnOutput(self, "AlarmTopicArn", value=topic.topic_arn)
        return topic

    # --- a release: migrations, then the services ---------------------------------------

    def _release(self, tag: str) -> None:
        image = ecs.ContainerImage.from_ecr_repository(self.repository, tag)
        tasks_sg = ec2.SecurityGroup(
            self, "TasksSecurityGroup", vpc=self.vpc, description="equeue tasks"
        )
        self.database.connections.allow_default_port_from(tasks_sg, "equeue's tasks")
        migrate = self._task("Migrate", image, ["migrate"], cpu=256, memory=512)
        migration = self._run_migrations(migrate, tasks_sg)
        api = self._api(image, tasks_sg)
        workers = self._workers(image, tasks_sg)
        exporter = self._exporter(image, tasks_sg)
        for service in (api, workers, exporter):
            service.node.add_dependency(migration)
        self._alarms()

    def _environment(self) -> dict[str, str]:
        """Settings every role shares. The URL carries no password: PostgreSQL clients
        read it from PGPASSWORD, which comes from Secrets Manager."""
        endpoint = self.database.db_instance_endpoint_address
        port = self.database.db_instance_endpoint_port
        return {
            "EQUEUE_DATABASE_URL": f"postgresql://{DB_USER}@{endpoint}:{port}/{DB_NAME}?sslmode=require",
            "EQUEUE_LOG_FORMAT": "json",
        }

    def _task(
        self,
        role: str,
        image: ecs.ContainerImage,
        command: list[str],
        *,
        cpu: int,
        memory: int,
        environment: dict[str, str] | None = None,
        secrets: dict[str, ecs.Secret] | None = None,
        entry_point: list[str] | None = None,
        port: int | None = None,
        stop_timeout: int | None = None,
    ) -> ecs.FargateTaskDefinition:
        task = ecs.FargateTaskDefinition(self, f"{role}Task", cpu=cpu, memory_limit_mib=memory)
        task.add_container(
            role.lower(),
            image=image,
            command=command,
            entry_point=entry_point,
            environment={**self._environment(), **(environment or {})},
            secrets={
                "PGPASSWORD": ecs.Secret.from_secrets_manager(self.database.secret, "password"),  # type: ignore[arg-type]
                **(secrets or {}),
            },
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix=role.lower(), log_group=self._log_group(f"{role}Logs")
            ),
            port_mappings=[ecs.PortMapping(container_port=port)] if port else None,
            stop_timeout=cdk.Duration.seconds(stop_timeout) if stop_timeout else None,
            readonly_root_filesystem=True,
        )
        suppress(
            task,
            {
                "AwsSolutions-ECS2": "Only settings that are no secret are plain environment "
                "values; the database password and the API keys come from Secrets Manager."
            },
        )
        suppress(
            task.obtain_execution_role(),
            {
                "AwsSolutions-IAM5": "ecr:GetAuthorizationToken, which pulls the image, "
                "takes no resource: it is granted on '*' by design of the service."
            },
            findings=["[Resource::*]"],
        )
        return task

    def _service(
        self, role: str, task: ecs.FargateTaskDefinition, tasks_sg: ec2.ISecurityGroup, count: int
    ) -> ecs.FargateService:
        return ecs.FargateService(
            self,
            f"{role}Service",
            cluster=self.cluster,
            task_definition=task,
            desired_count=count,
            security_groups=[tasks_sg],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            assign_public_ip=False,
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
        )

    def _run_migrations(
        self, task: ecs.FargateTaskDefinition, tasks_sg: ec2.ISecurityGroup
    ) -> cdk.CustomResource:
        """``equeue migrate`` on every release, waited for before the services roll."""
        code = lambda_.Code.from_asset(str(RUNNER_CODE), exclude=["__pycache__"])
        runtime = lambda_.Runtime.PYTHON_3_14
        start = lambda_.Function(
            self,
            "MigrationStart",
            runtime=runtime,
            code=code,
            handler="index.on_event",
            timeout=cdk.Duration.minutes(1),
        )
        check = lambda_.Function(
            self,
            "MigrationCheck",
            runtime=runtime,
            code=code,
            handler="index.is_complete",
            timeout=cdk.Duration.minutes(1),
        )
        task.grant_run(start)
        check.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ecs:DescribeTasks"],
                # Task ARNs are known only once a task runs; the condition keeps the
                # wildcard to this cluster's tasks.
                resources=["*"],
                conditions={"ArnEquals": {"ecs:cluster": self.cluster.cluster_arn}},
            )
        )
        provider = cr.Provider(
            self,
            "MigrationProvider",
            on_event_handler=start,
            is_complete_handler=check,
            query_interval=cdk.Duration.seconds(15),
            total_timeout=cdk.Duration.minutes(30),
        )
        migration = cdk.CustomResource(
            self,
            "Migrations",
            service_token=provider.service_token,
            properties={
                "Cluster": self.cluster.cluster_name,
                "TaskDefinition": task.task_definition_arn,
                "Subnets": self.vpc.select_subnets(
                    subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
                ).subnet_ids,
                "SecurityGroups": [tasks_sg.security_group_id],
                "Release": self.config.image_tag,
            },
        )
        basic_role = (
            "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]"
        )
        functions = [start, check, *provider.node.children]
        for fn in functions:
            suppress(
                fn,
                {
                    "AwsSolutions-IAM4": "The AWS managed basic execution role lets a "
                    "function write its own logs, nothing more."
                },
                findings=[basic_role],
            )
        suppress(
            check,
            {
                "AwsSolutions-IAM5": "DescribeTasks needs the ARN of a task that does not "
                "exist yet; the condition keeps it to the tasks of this cluster."
            },
            findings=["[Resource::*]"],
        )
        suppress(
            provider,
            {
                "AwsSolutions-IAM5": "The provider framework invokes any version of its own "
                "handler functions (ARN suffix ':*'), and of no other function."
            },
            findings=[
                f"[Resource::<{self.logical_id_of(fn)}.Arn>:*]"
                for fn in functions
                if isinstance(fn, lambda_.Function)
            ],
        )
        suppress(
            provider,
            {
                "AwsSolutions-L1": "The provider framework chooses the runtime of its own "
                "functions.",
                "AwsSolutions-SF1": "The provider framework's waiter state machine only polls "
                "the migration; the handler functions log each step.",
                "AwsSolutions-SF2": "Tracing the provider framework's waiter brings nothing: "
                "it makes one call per poll.",
            },
        )
        return migration

    def logical_id_of(self, construct: Construct) -> str:
        """The template's logical id of a construct's CloudFormation resource."""
        resource = construct.node.default_child
        assert isinstance(resource, cdk.CfnElement)
        return self.get_logical_id(resource)

    def _api(self, image: ecs.ContainerImage, tasks_sg: ec2.SecurityGroup) -> ecs.FargateService:
        task = self._task(
            "Api",
            image,
            ["api"],
            cpu=self.config.api_cpu,
            memory=self.config.api_memory_mib,
            environment={
                "EQUEUE_HOST": "0.0.0.0",
                "EQUEUE_PORT": str(API_PORT),
                # Only the load balancer reaches the tasks: trust its X-Forwarded-For, so
                # keyless traffic is rate-limited per client, not per balancer address.
                "FORWARDED_ALLOW_IPS": "*",
            },
            secrets={
                "EQUEUE_API_KEY": ecs.Secret.from_secrets_manager(self.api_key),
                "EQUEUE_TOKEN_SECRET": ecs.Secret.from_secrets_manager(self.token_secret),
            },
            port=API_PORT,
        )
        service = self._service("Api", task, tasks_sg, self.config.api_tasks)
        self.load_balancer = self._load_balancer(service, tasks_sg)
        return service

    def _load_balancer(
        self, service: ecs.FargateService, tasks_sg: ec2.SecurityGroup
    ) -> elbv2.ApplicationLoadBalancer:
        lb_sg = ec2.SecurityGroup(
            self,
            "LoadBalancerSecurityGroup",
            vpc=self.vpc,
            description="equeue load balancer",
            allow_all_outbound=False,
        )
        alb = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.vpc,
            internet_facing=True,
            security_group=lb_sg,
            drop_invalid_header_fields=True,
        )
        alb.log_access_logs(self._access_log_bucket())
        https = bool(self.config.certificate_arn)
        for port in (443, 80) if https else (80,):
            lb_sg.add_ingress_rule(ec2.Peer.ipv4(self.config.allowed_cidr), ec2.Port.tcp(port))
        tasks_sg.add_ingress_rule(lb_sg, ec2.Port.tcp(API_PORT), "the load balancer")
        lb_sg.add_egress_rule(tasks_sg, ec2.Port.tcp(API_PORT), "the API tasks")
        suppress(
            lb_sg,
            {
                "AwsSolutions-EC23": "The load balancer is the API's public entry; narrow it "
                "with the allowedCidr parameter."
            },
        )
        targets = elbv2.ApplicationTargetGroup(
            self,
            "ApiTargets",
            vpc=self.vpc,
            port=API_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[service],
            deregistration_delay=cdk.Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path="/readyz", healthy_http_codes="200", interval=cdk.Duration.seconds(15)
            ),
        )
        if https:
            alb.add_listener(
                "Https",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[elbv2.ListenerCertificate.from_arn(self.config.certificate_arn)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_target_groups=[targets],
                open=False,
            )
            alb.add_redirect(source_port=80, target_port=443)
        else:
            alb.add_listener("Http", port=80, default_target_groups=[targets], open=False)
        scheme = "https" if https else "http"
        cdk.CfnOutput(self, "ApiUrl", value=f"{scheme}://{alb.load_balancer_dns_name}")
        return alb

    def _access_log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=cdk.Duration.days(self.config.log_retention_days))
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        suppress(
            bucket,
            {
                "AwsSolutions-S1": "This bucket holds the load balancer's access logs; logging "
                "access to it would need another bucket, and so on."
            },
        )
        return bucket

    def _workers(
        self, image: ecs.ContainerImage, tasks_sg: ec2.SecurityGroup
    ) -> ecs.FargateService:
        environment = {
            "EQUEUE_APP": self.config.worker_app,
            "EQUEUE_CONCURRENCY": str(self.config.worker_concurrency),
            "EQUEUE_SHUTDOWN_GRACE": str(WORKER_SHUTDOWN_GRACE),
            # Workers batch their statements: a small pool keeps the connection budget low.
            "EQUEUE_POOL_MAX_SIZE": "4",
        }
        if self.config.worker_queues:
            environment["EQUEUE_QUEUES"] = self.config.worker_queues
        task = self._task(
            "Worker",
            image,
            ["worker"],
            cpu=self.config.worker_cpu,
            memory=self.config.worker_memory_mib,
            environment=environment,
            stop_timeout=WORKER_STOP_SECONDS,
        )
        service = self._service("Worker", task, tasks_sg, self.config.workers_min)
        self._scale_on_queue(service)
        return service

    def queue_metric(
        self, name: str, statistic: str = "Maximum", minutes: int = 1
    ) -> cloudwatch.Metric:
        """A fleet-wide metric the exporter publishes (no dimension)."""
        return cloudwatch.Metric(
            namespace=self.namespace,
            metric_name=name,
            statistic=statistic,
            period=cdk.Duration.minutes(minutes),
        )

    def _scale_on_queue(self, service: ecs.FargateService) -> None:
        """Out when jobs wait or wait long, in when none waits; within the floor and ceiling."""
        scaling = service.auto_scale_task_count(
            min_capacity=self.config.workers_min, max_capacity=self.config.workers_max
        )
        depth = self.config.scale_out_depth
        scaling.scale_on_metric(
            "ScaleOnQueueDepth",
            metric=self.queue_metric("QueueDepth"),
            scaling_steps=[
                appscaling.ScalingInterval(upper=0, change=-1),
                appscaling.ScalingInterval(lower=depth, change=+1),
                appscaling.ScalingInterval(lower=depth * 5, change=+3),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=cdk.Duration.minutes(2),
            evaluation_periods=2,
        )
        age = self.config.scale_out_age_seconds
        scaling.scale_on_metric(
            "ScaleOnOldestJobAge",
            metric=self.queue_metric("OldestJobAge"),
            scaling_steps=[
                appscaling.ScalingInterval(upper=age, change=0),
                appscaling.ScalingInterval(lower=age, change=+1),
                appscaling.ScalingInterval(lower=age * 4, change=+3),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=cdk.Duration.minutes(2),
            evaluation_periods=2,
        )

    def _exporter(
        self, image: ecs.ContainerImage, tasks_sg: ec2.SecurityGroup
    ) -> ecs.FargateService:
        command = [
            "--namespace",
            self.namespace,
            "--interval",
            str(METRICS_INTERVAL_SECONDS),
        ]
        if self.config.worker_queues:
            command += ["--queues", self.config.worker_queues]
        task = self._task(
            "Exporter",
            image,
            command,
            entry_point=["python", "-m", "equeue.cloudwatch"],
            cpu=256,
            memory=512,
        )
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": self.namespace}},
            )
        )
        suppress(
            task,
            {
                "AwsSolutions-IAM5": "PutMetricData takes no resource; the condition limits "
                "it to the stack's own namespace."
            },
            findings=["[Resource::*]"],
        )
        return self._service("Exporter", task, tasks_sg, 1)

    # --- alarms ---------------------------------------------------------------------------

    def _alarms(self) -> None:
        action = cw_actions.SnsAction(self.alarm_topic)
        five_minutes = cdk.Duration.minutes(5)
        alarms = [
            cloudwatch.Alarm(
                self,
                "QueueDepthAlarm",
                alarm_description="Jobs waiting for a worker stayed above the threshold",
                metric=self.queue_metric("QueueDepth"),
                threshold=self.config.alarm_queue_depth,
                evaluation_periods=5,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            cloudwatch.Alarm(
                self,
                "OldestJobAgeAlarm",
                alarm_description="The oldest runnable job waited too long, or the metrics "
                "exporter stopped publishing (missing data counts as breaching)",
                metric=self.queue_metric("OldestJobAge"),
                threshold=self.config.alarm_oldest_age_seconds,
                evaluation_periods=5,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            ),
            cloudwatch.Alarm(
                self,
                "FailedJobsAlarm",
                alarm_description="Jobs failed for good (dead-lettered) in five minutes",
                metric=self.queue_metric("JobsFailed", statistic="Sum", minutes=5),
                threshold=self.config.alarm_failed_jobs,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            cloudwatch.Alarm(
                self,
                "Api5xxAlarm",
                alarm_description="API 5xx responses in five minutes (from the tasks or the "
                "load balancer itself)",
                metric=cloudwatch.MathExpression(
                    expression="FILL(tasks, 0) + FILL(balancer, 0)",
                    using_metrics={
                        "tasks": self.load_balancer.metrics.http_code_target(
                            elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=five_minutes
                        ),
                        "balancer": self.load_balancer.metrics.http_code_elb(
                            elbv2.HttpCodeElb.ELB_5XX_COUNT, period=five_minutes
                        ),
                    },
                    period=five_minutes,
                ),
                threshold=self.config.alarm_api_5xx,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
        ]
        for alarm in alarms:
            alarm.add_alarm_action(action)


def build_app(
    context: dict[str, object] | None = None, outdir: str | None = None
) -> tuple[cdk.App, EqueueStack]:
    """The CDK app with its one stack, checked by cdk-nag's AWS Solutions rules.

    ``context`` adds to what ``cdk.json`` and ``-c`` give (tests pass it directly). The
    account and region come from the CDK CLI's environment (``CDK_DEFAULT_*``) or from
    the ``account``/``region`` context keys.
    """
    app = cdk.App(context=context or {}, outdir=outdir)
    get = app.node.try_get_context
    config = StackConfig.from_context(get)
    env = cdk.Environment(
        account=get("account") or os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=get("region") or os.environ.get("CDK_DEFAULT_REGION"),
    )
    stack = EqueueStack(
        app,
        str(get("stackName") or "Equeue"),
        config,
        env=env,
        description="equeue: a PostgreSQL-backed job queue on ECS Fargate and RDS",
    )
    add_checks(app)
    return app, stack


def add_checks(app: cdk.App) -> None:
    """Run cdk-nag's AWS Solutions rules on every synth: a finding that is not
    acknowledged (with its reason) fails the synth."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
