"""The AWS deployment (deploy/aws), synthesized in process without an AWS account and
checked with the CDK's assertions, cdk-nag's AWS Solutions rules (which run on every
synth: a finding without an acknowledgment fails it) and cfn-lint."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template
from cfnlint.api import ManualArgs, lint
from equeue_aws import StackConfig, build_app
from equeue_aws.config import context_key
from equeue_aws.database import QUEUE_PARAMETERS
from equeue_aws.stack import add_checks

from equeue.cloudwatch import metric_data

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "123456789012", "eu-west-1"
ENVIRONMENT = {
    "account": ACCOUNT,
    "region": REGION,
    # What `cdk synth` would look up in the account: the region's zones.
    f"availability-zones:account={ACCOUNT}:region={REGION}": [
        f"{REGION}a",
        f"{REGION}b",
        f"{REGION}c",
    ],
}
VPC_ID = "vpc-0abc1234def567890"


def _subnet_id(prefix: str, zone: str) -> str:
    return "subnet-" + (prefix + zone).ljust(17, "0")


def _subnets(prefix: str, third_octet: int) -> list[dict[str, str]]:
    return [
        {
            "subnetId": _subnet_id(prefix, zone),
            "cidr": f"10.20.{third_octet + i}.0/24",
            "availabilityZone": f"{REGION}{zone}",
            "routeTableId": "rtb-" + (prefix + zone).ljust(17, "1"),
        }
        for i, zone in enumerate("ab")
    ]


#: What `cdk synth` would look up for an existing VPC with public and private subnets.
EXISTING_VPC = {
    f"vpc-provider:account={ACCOUNT}:filter.vpc-id={VPC_ID}:region={REGION}"
    ":returnAsymmetricSubnets=true": {
        "vpcId": VPC_ID,
        "vpcCidrBlock": "10.20.0.0/16",
        "availabilityZones": [],
        "subnetGroups": [
            {"name": "Public", "type": "Public", "subnets": _subnets("aaa", 0)},
            {"name": "Private", "type": "Private", "subnets": _subnets("bbb", 10)},
        ],
    }
}
CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0d6a6b36-0000-4000-8000-000000000000"


class Synthesized:
    def __init__(self, context: dict[str, Any], outdir: Path) -> None:
        self.app, self.stack = build_app({**ENVIRONMENT, **context}, outdir=str(outdir))
        assembly = self.app.synth()
        self.json: dict[str, Any] = assembly.get_stack_artifact(self.stack.artifact_id).template
        self.template = Template.from_json(self.json)

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == kind}

    def one(self, kind: str) -> dict[str, Any]:
        [found] = self.resources(kind).values()
        return found

    def containers(self) -> dict[str, dict[str, Any]]:
        """Container definitions by name (api, worker, exporter, migrate)."""
        return {
            c["Name"]: c
            for task in self.resources("AWS::ECS::TaskDefinition").values()
            for c in task["Properties"]["ContainerDefinitions"]
        }

    def logical_id(self, resource: dict[str, Any]) -> str:
        [found] = [k for k, v in self.json["Resources"].items() if v is resource]
        return found


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default stack, running release v1 (synthesized once per test process: the
    first synth in a process also starts the CDK's JavaScript runtime, ~15 s)."""
    return Synthesized({"imageTag": "v1"}, tmp_path_factory.mktemp("cdk-release"))


@pytest.fixture(scope="session")
def existing_vpc_https(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """Into an existing VPC, with a certificate, serving only some queues."""
    return Synthesized(
        {
            "imageTag": "2024.06.1",
            "vpcId": VPC_ID,
            **EXISTING_VPC,
            "certificateArn": CERTIFICATE,
            "workerQueues": "default,emails",
            "workersMin": "2",
            "workersMax": "20",
        },
        tmp_path_factory.mktemp("cdk-variant"),
    )


def test_the_first_deploy_builds_the_ground_without_services(tmp_path: Path) -> None:
    """Before any image is pushed: network, database, secrets, repository, cluster."""
    first = Synthesized({}, tmp_path)

    for kind in (
        "AWS::ECS::Service",
        "AWS::ECS::TaskDefinition",
        "AWS::CloudFormation::CustomResource",
    ):
        first.template.resource_count_is(kind, 0)
    for kind in (
        "AWS::EC2::VPC",
        "AWS::RDS::DBInstance",
        "AWS::ECR::Repository",
        "AWS::ECS::Cluster",
    ):
        first.template.resource_count_is(kind, 1)
    assert {"RepositoryUri", "ApiKeySecretArn", "DatabaseEndpoint"} <= set(first.json["Outputs"])


# --- the services --------------------------------------------------------------------------


def test_one_image_runs_the_api_the_workers_the_exporter_and_the_migrations(
    release: Synthesized,
) -> None:
    containers = release.containers()
    assert set(containers) == {"api", "worker", "exporter", "migrate"}
    repository = release.logical_id(release.one("AWS::ECR::Repository"))
    for container in containers.values():
        image = container["Image"]["Fn::Join"][1]
        assert {"Ref": repository} in image and image[-1].endswith(":v1")
    assert containers["api"]["Command"] == ["api"]
    assert containers["worker"]["Command"] == ["worker"]
    assert containers["migrate"]["Command"] == ["migrate"]
    assert containers["exporter"]["EntryPoint"] == ["python", "-m", "equeue.cloudwatch"]
    assert len(release.resources("AWS::ECS::Service")) == 3
    release.template.resource_properties_count_is("AWS::ECS::Service", {"LaunchType": "FARGATE"}, 3)


def test_the_api_is_behind_the_load_balancer_with_the_readiness_check(
    release: Synthesized,
) -> None:
    release.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"HealthCheckPath": "/readyz", "Port": 8000, "TargetType": "ip"},
    )
    release.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internet-facing"}
    )
    release.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener", {"Port": 80, "Protocol": "HTTP"}
    )
    release.template.has_resource_properties(
        "AWS::ECS::Service",
        {"LoadBalancers": [Match.object_like({"ContainerName": "api", "ContainerPort": 8000})]},
    )
    env = {e["Name"]: e["Value"] for e in release.containers()["api"]["Environment"]}
    assert env["EQUEUE_HOST"] == "0.0.0.0"
    assert env["FORWARDED_ALLOW_IPS"] == "*"  # client addresses for the keyless budget


def test_with_a_certificate_the_api_is_served_over_https_and_http_redirects(
    existing_vpc_https: Synthesized,
) -> None:
    template = existing_vpc_https.template
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": CERTIFICATE}],
            "SslPolicy": Match.string_like_regexp("TLS13"),
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "DefaultActions": [
                Match.object_like(
                    {"Type": "redirect", "RedirectConfig": Match.object_like({"Port": "443"})}
                )
            ],
        },
    )
    # The existing VPC is used, not a new one.
    template.resource_count_is("AWS::EC2::VPC", 0)
    # It has no isolated subnets: the database goes to the private ones.
    template.has_resource_properties(
        "AWS::RDS::DBSubnetGroup",
        {"SubnetIds": [_subnet_id("bbb", "a"), _subnet_id("bbb", "b")]},
    )


def test_workers_stop_after_their_jobs_had_time_to_finish(release: Synthesized) -> None:
    worker = release.containers()["worker"]
    env = {e["Name"]: e["Value"] for e in worker["Environment"]}
    assert env["EQUEUE_APP"] == StackConfig().worker_app
    assert worker["StopTimeout"] == 120
    assert float(env["EQUEUE_SHUTDOWN_GRACE"]) < worker["StopTimeout"]


def test_migrations_run_before_any_service_rolls(release: Synthesized) -> None:
    [migration_id] = release.resources("AWS::CloudFormation::CustomResource")
    migration = release.json["Resources"][migration_id]["Properties"]
    tasks = release.resources("AWS::ECS::TaskDefinition")
    [migrate_task] = [
        k
        for k, v in tasks.items()
        if v["Properties"]["ContainerDefinitions"][0]["Name"] == "migrate"
    ]
    assert migration["TaskDefinition"] == {"Ref": migrate_task}
    assert migration["Release"] == "v1"
    for service in release.resources("AWS::ECS::Service").values():
        assert migration_id in service["DependsOn"]


# --- scaling on the queue --------------------------------------------------------------------


def _alarm_of(synth: Synthesized, policy_id: str) -> list[dict[str, Any]]:
    return [
        a["Properties"]
        for a in synth.resources("AWS::CloudWatch::Alarm").values()
        if {"Ref": policy_id} in a["Properties"].get("AlarmActions", [])
    ]


def test_workers_scale_on_queue_depth_and_oldest_job_age_within_floor_and_ceiling(
    release: Synthesized,
) -> None:
    config = StackConfig()
    target = release.one("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (
        config.workers_min,
        config.workers_max,
    )
    assert target["ScalableDimension"] == "ecs:service:DesiredCount"
    assert target["ResourceId"]["Fn::Join"][1][-1]["Fn::GetAtt"][0].startswith("WorkerService")

    namespace = f"equeue/{release.stack.stack_name}"
    triggers: dict[str, list[tuple[str, float, list[Any]]]] = {}
    for policy_id, policy in release.resources(
        "AWS::ApplicationAutoScaling::ScalingPolicy"
    ).items():
        props = policy["Properties"]
        assert props["PolicyType"] == "StepScaling"
        steps = props["StepScalingPolicyConfiguration"]["StepAdjustments"]
        for alarm in _alarm_of(release, policy_id):
            assert alarm["Namespace"] == namespace
            assert "Dimensions" not in alarm  # the fleet figures
            triggers.setdefault(alarm["MetricName"], []).append(
                (alarm["ComparisonOperator"], alarm["Threshold"], steps)
            )
    assert sorted(triggers) == ["OldestJobAge", "QueueDepth"]
    depth = {op: (threshold, steps) for op, threshold, steps in triggers["QueueDepth"]}
    assert depth["LessThanOrEqualToThreshold"][0] == 0
    assert depth["LessThanOrEqualToThreshold"][1][0]["ScalingAdjustment"] == -1
    assert depth["GreaterThanOrEqualToThreshold"][0] == config.scale_out_depth
    assert [s["ScalingAdjustment"] for s in depth["GreaterThanOrEqualToThreshold"][1]] == [1, 3]
    # The age only ever adds workers: a short wait says nothing about idle ones.
    [(op, threshold, steps)] = triggers["OldestJobAge"]
    assert (op, threshold) == ("GreaterThanOrEqualToThreshold", config.scale_out_age_seconds)
    assert [s["ScalingAdjustment"] for s in steps] == [1, 3]


def test_the_exporter_publishes_the_metrics_scaling_reads(release: Synthesized) -> None:
    exporter = release.containers()["exporter"]
    command = exporter["Command"]
    namespace = command[command.index("--namespace") + 1]
    assert namespace == f"equeue/{release.stack.stack_name}"
    published = {d["MetricName"] for d in metric_data([]) if d["Dimensions"] == []}
    alarmed = {
        a["Properties"]["MetricName"]
        for a in release.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == namespace
    }
    assert alarmed <= published
    [task_policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in release.resources("AWS::IAM::Policy").values()
        if any(
            s["Action"] == "cloudwatch:PutMetricData"
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        )
    ]
    assert task_policy == [
        {
            "Action": "cloudwatch:PutMetricData",
            "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
            "Effect": "Allow",
            "Resource": "*",
        }
    ]


def test_the_fleet_figures_follow_the_queues_the_workers_serve(
    existing_vpc_https: Synthesized,
) -> None:
    containers = existing_vpc_https.containers()
    command = containers["exporter"]["Command"]
    assert command[command.index("--queues") + 1] == "default,emails"
    env = {e["Name"]: e["Value"] for e in containers["worker"]["Environment"]}
    assert env["EQUEUE_QUEUES"] == "default,emails"
    target = existing_vpc_https.one("AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 20)


# --- secrets, the database, logs, alarms ---------------------------------------------------------


def test_secrets_reach_the_tasks_from_secrets_manager_only(release: Synthesized) -> None:
    secrets = release.resources("AWS::SecretsManager::Secret")
    attachment = release.logical_id(release.one("AWS::SecretsManager::SecretTargetAttachment"))
    [api_key] = [k for k in secrets if k.startswith("ApiKey")]
    [token] = [k for k in secrets if k.startswith("TokenSecret")]
    for name, container in release.containers().items():
        from_secrets = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
        password = from_secrets.pop("PGPASSWORD")
        assert password["Fn::Join"][1][0] == {"Ref": attachment}
        assert password["Fn::Join"][1][1] == ":password::"
        if name == "api":
            assert from_secrets == {
                "EQUEUE_API_KEY": {"Ref": api_key},
                "EQUEUE_TOKEN_SECRET": {"Ref": token},
            }
        else:
            assert from_secrets == {}
        env = {e["Name"]: e["Value"] for e in container["Environment"]}
        assert not [n for n in env if re.search("PASSWORD|KEY|SECRET|TOKEN", n)]
        url = "".join(str(part) for part in env["EQUEUE_DATABASE_URL"]["Fn::Join"][1])
        assert url.startswith("postgresql://equeue@") and url.endswith("/equeue?sslmode=require")


def test_the_database_is_private_encrypted_and_backed_up(release: Synthesized) -> None:
    db = release.one("AWS::RDS::DBInstance")["Properties"]
    assert db["PubliclyAccessible"] is False
    assert db["StorageEncrypted"] is True
    assert db["BackupRetentionPeriod"] == 7
    assert db["MultiAZ"] is True
    assert db["DeletionProtection"] is True
    assert db["EnableCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    # In the isolated subnets, which have no route to or from the internet.
    subnet_ids = release.one("AWS::RDS::DBSubnetGroup")["Properties"]["SubnetIds"]
    assert all(ref["Ref"].startswith("VpcdatabaseSubnet") for ref in subnet_ids)
    for subnet in subnet_ids:
        assert (
            release.json["Resources"][subnet["Ref"]]["Properties"]["MapPublicIpOnLaunch"] is False
        )
    # Reachable only from equeue's tasks.
    [db_group] = db["VPCSecurityGroups"]
    ingress = [
        r["Properties"]
        for r in release.resources("AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == db_group
    ]
    assert len(ingress) == 1
    assert ingress[0]["SourceSecurityGroupId"]["Fn::GetAtt"][0].startswith("TasksSecurityGroup")
    assert "CidrIp" not in ingress[0]
    rds_groups = [
        g
        for g in release.resources("AWS::EC2::SecurityGroup").values()
        if g["Properties"]["GroupDescription"].startswith("Security group for Database")
    ]
    assert all("SecurityGroupIngress" not in g["Properties"] for g in rds_groups)


def test_the_parameter_group_holds_the_settings_the_docs_recommend(release: Synthesized) -> None:
    group = release.one("AWS::RDS::DBParameterGroup")["Properties"]
    assert group["Parameters"] == QUEUE_PARAMETERS
    assert group["Family"] == "postgres17"
    docs = (ROOT / "docs" / "deploy.md").read_text()
    documented = dict(re.findall(r"^\| `([a-z_.]+)` \| `([^`]+)` \|", docs, re.MULTILINE))
    assert documented == QUEUE_PARAMETERS


def test_logs_go_to_cloudwatch_with_retention(release: Synthesized) -> None:
    groups = release.resources("AWS::Logs::LogGroup")
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {30}
    for container in release.containers().values():
        logging = container["LogConfiguration"]
        assert logging["LogDriver"] == "awslogs"
        assert logging["Options"]["awslogs-group"]["Ref"] in groups
    release.template.has_resource_properties("Custom::LogRetention", {"RetentionInDays": 30})


def test_alarms_watch_the_queue_the_failures_and_the_api(release: Synthesized) -> None:
    topic = release.logical_id(release.one("AWS::SNS::Topic"))
    alarms = {
        name: a["Properties"]
        for name, a in release.resources("AWS::CloudWatch::Alarm").items()
        if a["Properties"].get("AlarmActions") == [{"Ref": topic}]
    }
    by_metric = {a.get("MetricName", "math"): a for a in alarms.values()}
    assert set(by_metric) == {"QueueDepth", "OldestJobAge", "JobsFailed", "math"}
    config = StackConfig()
    assert by_metric["QueueDepth"]["Threshold"] == config.alarm_queue_depth
    # A silent exporter is a problem too: its missing data breaches.
    assert by_metric["OldestJobAge"]["TreatMissingData"] == "breaching"
    assert (by_metric["JobsFailed"]["Statistic"], by_metric["JobsFailed"]["Period"]) == ("Sum", 300)
    api = by_metric["math"]["Metrics"]
    used = {m["MetricStat"]["Metric"]["MetricName"] for m in api if "MetricStat" in m}
    assert used == {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}
    release.template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()}
    )


# --- the checks: cdk-nag and cfn-lint ------------------------------------------------------------


def test_cdk_nag_fails_the_synth_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "Plain")
    add_checks(app)

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()

    assert "AwsSolutions-S10" in (tmp_path / "validation-report.json").read_text()


def _acknowledged(root: cdk.App) -> Iterator[tuple[str, str, str]]:
    key = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    for construct in root.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == key:
                for rule, reason in entry.data.items():
                    yield construct.node.path, rule, reason


def test_every_acknowledged_finding_says_why(release: Synthesized) -> None:
    # CDK's own constructs acknowledge some of its template checks; ours are cdk-nag's.
    acknowledged = [a for a in _acknowledged(release.app) if a[1].startswith("AwsSolutions::")]
    rules = {re.sub(r"^AwsSolutions::|\[.*", "", rule) for _, rule, _ in acknowledged}
    assert rules == {
        "AwsSolutions-ECS2",
        "AwsSolutions-EC23",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-L1",
        "AwsSolutions-RDS11",
        "AwsSolutions-S1",
        "AwsSolutions-SF1",
        "AwsSolutions-SF2",
        "AwsSolutions-SMG4",
    }
    for path, rule, reason in acknowledged:
        assert len(reason.split()) >= 8, f"{path}: {rule} needs a reason"


@pytest.mark.parametrize("variant", ["release", "existing_vpc_https"])
def test_cfn_lint_accepts_the_template(variant: str, request: pytest.FixtureRequest) -> None:
    synth: Synthesized = request.getfixturevalue(variant)

    matches = lint(
        json.dumps(synth.json),
        config=ManualArgs(
            regions=[REGION],
            ignore_checks=[
                # CDK states the dependency of a resource on its role's policy explicitly,
                # even where a GetAtt already implies it.
                "W3005",
                # The stack is synthesized for one account and region: the subnets name
                # the zones CDK looked up there.
                "W3010",
            ],
        ),
    )
    assert [str(m) for m in matches] == []


# --- parameters ----------------------------------------------------------------------------


def test_parameters_given_on_the_command_line_are_converted() -> None:
    context = {"imageTag": "v2", "multiAz": "false", "workersMax": "40", "natGateways": 2}
    config = StackConfig.from_context(context.get)
    assert (config.image_tag, config.multi_az, config.workers_max, config.nat_gateways) == (
        "v2",
        False,
        40,
        2,
    )
    with pytest.raises(ValueError, match="workersMax"):
        StackConfig.from_context({"workersMax": "many"}.get)


def test_every_parameter_is_documented() -> None:
    docs = (ROOT / "docs" / "deploy.md").read_text()
    missing = [
        context_key(f.name)
        for f in StackConfig.__dataclass_fields__.values()
        if f"`{context_key(f.name)}`" not in docs
    ]
    assert missing == []
