from __future__ import annotations

import json
import logging

from equeue.logs import JsonFormatter


def test_json_lines_carry_the_jobs_fields() -> None:
    record = logging.makeLogRecord(
        {
            "name": "equeue.worker",
            "levelname": "INFO",
            "levelno": logging.INFO,
            "msg": "job %s succeeded",
            "args": ("abc",),
            "job_id": "abc",
            "task": "email.send",
            "attempt": 2,
            "duration": 0.25,
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "job abc succeeded"
    assert line["level"] == "INFO"
    assert line["logger"] == "equeue.worker"
    assert (line["job_id"], line["task"], line["attempt"], line["duration"]) == (
        "abc",
        "email.send",
        2,
        0.25,
    )
    assert "args" not in line and "msg" not in line
