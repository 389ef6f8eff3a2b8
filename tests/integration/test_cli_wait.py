"""``equeue jobs wait`` and the progress ``equeue jobs show`` prints, against a real
PostgreSQL and a real worker."""

from __future__ import annotations

import threading

from tests.integration.test_cli import cli, env, run_demo_worker_until

__all__ = ["env"]  # the fixture, shared with test_cli


def test_jobs_wait_exit_codes_say_how_the_job_ended(env: dict[str, str]) -> None:
    cli(env, "migrate")
    steps = '{"steps": 3, "seconds": 0.2}'
    job = cli(env, "enqueue", "demo.progress", "--payload", steps, "--allow-unknown", "--json")
    # Nobody runs it yet: the wait runs out, exit 124, and the job goes on.
    timed_out = cli(env, "jobs", "wait", job["id"], "--timeout", "0.3", code=124)
    assert f"{job['id']} is still queued after 0.3s" in timed_out.stderr

    worker = threading.Thread(target=run_demo_worker_until, args=(env, [job["id"]], "succeeded"))
    worker.start()
    try:
        done = cli(env, "jobs", "wait", job["id"], "--timeout", "30", "--json")
    finally:
        worker.join()
    assert done["status"] == "succeeded"
    assert (done["progress"]["fraction"], done["progress"]["message"]) == (1.0, "step 3 of 3")
    shown = cli(env, "jobs", "show", job["id"]).stdout
    assert "100% step 3 of 3" in shown

    failing = cli(env, "enqueue", "demo.fail", "--max-attempts", "1", "--json")  # registered now
    run_demo_worker_until(env, [failing["id"]], "failed")
    ended = cli(env, "jobs", "wait", failing["id"], code=1)
    assert f"{failing['id']} failed" in ended.stdout
    unknown = cli(env, "jobs", "wait", "00000000-0000-7000-8000-000000000000", code=1)
    assert "no job" in unknown.stderr
