"""The worker protocol's published contract (docs/worker-protocol.openapi.json) is what
the server serves: a change to the protocol is a deliberate change of that file."""

from __future__ import annotations

import json
from pathlib import Path

from equeue import Queue
from equeue.api import create_app
from equeue.api.contract import PROTOCOL_VERSION, published, worker_protocol

DOC = Path(__file__).resolve().parents[2] / "docs" / "worker-protocol.openapi.json"


def test_the_published_contract_is_what_the_server_serves() -> None:
    assert DOC.read_text(encoding="utf-8") == published(), (
        "the worker protocol changed: if on purpose, run "
        "`python -m equeue.api.contract > docs/worker-protocol.openapi.json`"
    )


def test_the_contract_holds_the_four_operations_of_version_1_and_all_they_name() -> None:
    contract = json.loads(DOC.read_text(encoding="utf-8"))
    operations = {
        (method.upper(), path) for path, ops in contract["paths"].items() for method in ops
    }
    assert operations == {
        ("POST", "/v1/queues/{name}/claim"),
        ("POST", "/v1/jobs/{job_id}/heartbeat"),
        ("POST", "/v1/jobs/{job_id}/complete"),
        ("POST", "/v1/jobs/{job_id}/fail"),
    }
    assert contract["info"]["version"] == PROTOCOL_VERSION == "1"
    text = json.dumps(contract["paths"])
    for name in contract["components"]["schemas"]:
        assert f"#/components/schemas/{name}" in json.dumps(contract)
    assert "#/components/schemas/LeasedJobOut" not in text  # named through Claimed only
    assert "LeasedJobOut" in contract["components"]["schemas"]


def test_operations_of_other_tags_stay_out() -> None:
    api = create_app(Queue("postgresql://nowhere/none", allow_unknown_tasks=False)).openapi()
    cut = worker_protocol(api)
    assert "/v1/jobs" not in cut["paths"]
    assert "JobOut" not in cut["components"]["schemas"]
