"""Lingering browsers on a real provisioner process, real Chromium, PostgreSQL and Redis: the
account's next task gets the same running browser at once; another account's task takes the slot
of an idle lingering browser; a linger that is over, and a provisioner that stops, stop it."""

from pathlib import Path

import asyncpg
import psutil
import pytest

from autoapply.local.nats import NatsServer
from contracts.applications import ApplicationCompleted
from contracts.tasks import TaskQueued
from runtime.bus import Bus
from services.executor.browser import Driver
from tests.processes import wait_healthy
from tests.provisioner.helpers import Events, start_provisioner
from tests.support import eventually, queued_event

pytestmark = pytest.mark.integration


def _gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def _pid(cdp_url: str) -> int:
    port = int(cdp_url.rsplit(":", 1)[1])
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return int(conn.pid)
    raise AssertionError("no process listens on the CDP port")


async def _ready(bus: Bus, events: Events, task: TaskQueued) -> dict[str, object]:
    await bus.publish(task)
    return await events.wait_for(task.task_id, "profile.ready", timeout_s=60)


async def _complete(bus: Bus, events: Events, task: TaskQueued) -> None:
    await bus.publish(ApplicationCompleted(task_id=task.task_id, user_id=task.user_id))
    await events.wait_for(task.task_id, "profile.released")


async def _lingering(dsn: str, profile_id: object) -> bool:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "provisioner"})
    try:
        query = "SELECT lingering_until IS NOT NULL FROM browser_profiles WHERE profile_id = $1::uuid"
        return bool(await conn.fetchval(query, profile_id))
    finally:
        await conn.close()


async def test_the_next_task_reuses_the_lingering_browser_and_another_account_takes_its_slot(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, echo_url: str, events: Events, bus: Bus
) -> None:
    driver = Driver()
    child = start_provisioner(
        nats, fresh_database, redis_url, tmp_path, browser_linger_s="120", browser_slots="1", waiting_browsers="0"
    )
    try:
        await wait_healthy(child)
        first = queued_event(platform="greenhouse")
        ready = await _ready(bus, events, first)
        pid = _pid(str(ready["cdp_url"]))
        async with driver.attach(str(ready["cdp_url"]), str(ready["target_id"])) as attached:
            await attached.page.goto(echo_url)  # the task's page, left as it was when the task ends
        await _complete(bus, events, first)
        assert await _lingering(fresh_database, ready["profile_id"])
        assert not _gone(pid)  # its last task ended; the browser stays up for the account

        again = queued_event(platform="greenhouse", user_id=first.user_id)
        second = await _ready(bus, events, again)
        # The same browser, nothing started for it, and the first task's tab, emptied, is its own now.
        assert (second["cdp_url"], second["ws_url"], second["profile_id"], second["target_id"]) == (
            ready["cdp_url"],
            ready["ws_url"],
            ready["profile_id"],
            ready["target_id"],
        )
        assert _pid(str(second["cdp_url"])) == pid
        async with driver.attach(str(second["cdp_url"]), str(second["target_id"])) as attached:
            assert attached.page.url == "about:blank"
        assert not await _lingering(fresh_database, ready["profile_id"])
        await _complete(bus, events, again)

        # One slot, held by the idle lingering browser: another account's task stops it and takes it.
        other = queued_event(platform="lever")
        third = await _ready(bus, events, other)
        assert third["profile_id"] != ready["profile_id"]
        await eventually(lambda: _gone(pid), timeout_s=15)
        third_pid = _pid(str(third["cdp_url"]))
        await _complete(bus, events, other)
        assert not _gone(third_pid)
    finally:
        await driver.close()
        child.stop()
    assert _gone(third_pid)  # a provisioner that stops takes its lingering browsers along
    assert "Traceback" not in child.log.read_text()


async def test_a_browser_whose_linger_is_over_stops(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path, browser_linger_s="1.5")
    try:
        await wait_healthy(child)
        task = queued_event(platform="greenhouse")
        ready = await _ready(bus, events, task)
        pid = _pid(str(ready["cdp_url"]))
        await _complete(bus, events, task)
        await eventually(lambda: _gone(pid), timeout_s=15)  # the reaper sweeps every TTL/3 (1 s here)
        assert not await _lingering(fresh_database, ready["profile_id"])
        # The account's next task starts its browser again, on the same profile.
        again = queued_event(platform="greenhouse", user_id=task.user_id)
        second = await _ready(bus, events, again)
        assert second["profile_id"] == ready["profile_id"] and _pid(str(second["cdp_url"])) != pid
    finally:
        child.stop()
