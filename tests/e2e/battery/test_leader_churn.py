"""Maintenance without a leader to lose: each round of a duty is one transaction under a
try-lock, so killing the process in the middle of a round (the "leader" of that moment)
undoes its round, and another process takes the next one.

Rescue rounds are slowed down here by a trigger of the test's own (half a second per job
rescued, each write also noted in an audit table), so that a round can be caught in the
act: the test finds the process holding the rescue lock, kills it mid-round, again and
again, and checks that the killed round wrote nothing and that rescue went on.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import asyncpg
import psutil
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check, read_executions

pytestmark = pytest.mark.battery
KILLS, JOBS = 3, 8
MAINTAINER = ("--queues", "nothing-to-claim", "--maintenance-batch-size", "2")

SLOW_RESCUE = """
CREATE TABLE {s}.battery_rescues (job_id uuid, xid xid8 DEFAULT pg_current_xact_id());
CREATE FUNCTION {s}.battery_slow_rescue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {s}.battery_rescues (job_id) VALUES (NEW.id);
    PERFORM pg_sleep(0.3);
    RETURN NEW;
END $$;
CREATE TRIGGER battery_slow_rescue BEFORE UPDATE ON {s}.jobs FOR EACH ROW
    WHEN (OLD.status = 'running' AND NEW.status <> 'running'
          AND NEW.last_error LIKE 'lease expired%')
    EXECUTE FUNCTION {s}.battery_slow_rescue();
"""
#: The backend holding the rescue duty's lock now, and its transaction.
RESCUE_HOLDER = """
SELECT a.pid, a.client_port, a.backend_xid::text::xid8 AS xid
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted
   AND l.classid = hashtext('equeue')::oid AND l.objid = hashtext($1)::oid
   AND a.backend_xid IS NOT NULL
"""


def owner_of_port(procs: list[subprocess.Popen[bytes]], port: int) -> subprocess.Popen[bytes]:
    """The worker process whose connection leaves from ``port``."""
    for proc in procs:
        if proc.poll() is None:
            for connection in psutil.Process(proc.pid).net_connections(kind="tcp"):
                if connection.laddr and connection.laddr.port == port:
                    return proc
    raise AssertionError(f"no worker process holds local port {port}")


async def test_killing_the_process_in_a_rescue_round_undoes_it_and_rescue_goes_on(
    battery_queue: Queue, fleet: Fleet, db: asyncpg.Connection
) -> None:
    schema = f'"{fleet.schema}"'
    await db.execute(SLOW_RESCUE.replace("{s}", schema))
    victim = fleet.spawn("--concurrency", str(JOBS), "--lease", "1", "--no-maintenance")
    work = {"type": "battery.work", "payload": {"seconds": 1.0}, "max_attempts": MAX_ATTEMPTS}
    committed = {job.id for job in await battery_queue.enqueue_many([work] * JOBS)}
    await wait_until(lambda: len(read_executions(fleet.folder)) == JOBS, timeout=30)
    maintainers = [fleet.spawn(*MAINTAINER) for _ in range(KILLS + 1)]  # one is left at the end
    for _ in range(2):  # they run the rescued jobs, one suspect at a time each
        fleet.spawn("--concurrency", "4", "--no-maintenance")
    victim.send_signal(signal.SIGKILL)  # its jobs' leases lapse: rescue rounds begin
    await asyncio.to_thread(victim.wait, 10)
    killed_at = time.monotonic()

    deposed: list[int] = []  # transaction ids of the rounds cut short
    for _ in range(KILLS):
        holder = await _rescue_holder(db, fleet.schema, deposed)
        leader = owner_of_port(maintainers, holder["client_port"])
        leader.send_signal(signal.SIGKILL)
        await asyncio.to_thread(leader.wait, 10)
        deposed.append(holder["xid"])  # one of the others takes the next round

    async def all_done() -> bool:
        counts = (await battery_queue.counts()).get("default", {})
        return counts.get("succeeded", 0) == JOBS

    await wait_until(all_done, timeout=90)
    recovery = time.monotonic() - killed_at
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    written = await db.fetch(f"SELECT job_id, xid FROM {schema}.battery_rescues")
    assert_holds(f"leader churn ({len(written)} rescues kept)", report, KILLS + 1, recovery)
    assert report.statuses == {"succeeded": JOBS}
    # The rounds cut short wrote nothing; other processes' rounds rescued every job once.
    assert not [row for row in written if row["xid"] in deposed]
    assert sorted(row["job_id"] for row in written) == sorted(committed)
    for job_id in committed:
        outcomes = [a.outcome for a in (await battery_queue.get_job(job_id)).history]
        assert outcomes == ["lease_expired", "succeeded"]


async def _rescue_holder(db: asyncpg.Connection, schema: str, deposed: list[int]) -> asyncpg.Record:
    """The backend in the middle of a rescue round, once there is one. (The backend of a
    process just killed finishes its statement before it notices, and holds the lock
    until then: its round is not a new one.)"""
    found: list[asyncpg.Record] = []

    async def in_a_round() -> bool:
        rows = await db.fetch(RESCUE_HOLDER, f"{schema}:rescue")
        found[:] = [row for row in rows if row["xid"] not in deposed]
        return bool(found)

    await wait_until(in_a_round, timeout=30)
    return found[0]
