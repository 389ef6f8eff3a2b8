"""The CDK app: ``npx cdk synth`` / ``npx cdk deploy`` run it (see cdk.json)."""

from __future__ import annotations

from equeue_aws import build_app

app, _ = build_app()
app.synth()
