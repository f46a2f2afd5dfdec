"""Faults with real processes: a browser killed under its task, a provisioner killed holding a lock."""

import time
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
import redis.asyncio as aioredis

from autoapply.local.nats import NatsServer
from contracts.applications import ApplicationCompleted
from runtime.bus import Bus
from services.provisioner import locks
from tests.processes import wait_healthy
from tests.provisioner.helpers import Events, start_provisioner
from tests.support import eventually, queued_event

pytestmark = pytest.mark.chaos
LOCK_TTL_S = 3.0  # tests.provisioner.helpers gives every instance this TTL


def cdp_owner(cdp_url: str) -> psutil.Process:
    port = int(cdp_url.rsplit(":", 1)[1])
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return psutil.Process(conn.pid)
    raise AssertionError("nothing listens on the CDP port")


async def test_a_browser_killed_mid_task_fails_the_task_and_frees_its_lock(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path)
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await wait_healthy(child)
        task = queued_event()
        await bus.publish(task)
        ready = await events.wait_for(task.task_id, "profile.ready")
        cdp_owner(ready["cdp_url"]).kill()
        killed = time.monotonic()
        failed = await events.wait_for(task.task_id, "task.failed", timeout_s=20)
        released = await events.wait_for(task.task_id, "profile.released", timeout_s=20)
        noticed_s = time.monotonic() - killed
        assert failed["reason"] == "internal_error" and "browser" in failed["message"]
        assert released["profile_id"] == ready["profile_id"]
        await eventually(lambda: _gone(client, ready["profile_id"]), timeout_s=10)
        assert noticed_s < LOCK_TTL_S * 3  # the reaper looks every TTL/3
    finally:
        await client.aclose()
        child.stop()


async def test_a_provisioner_killed_holding_a_lock_is_taken_over_within_the_ttl(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    children = {i: start_provisioner(nats, fresh_database, redis_url, tmp_path, instance=i) for i in (1, 2)}
    try:
        for child in children.values():
            await wait_healthy(child)
        task = queued_event()
        await bus.publish(task)
        ready = await events.wait_for(task.task_id, "profile.ready")
        conn = await asyncpg.connect(fresh_database)
        try:
            holder = await conn.fetchval(
                "SELECT holder FROM provisioner.browser_profiles WHERE task_id = $1", task.task_id
            )
            victim = int(holder.rsplit("-", 1)[1])
            children[victim].kill()
            killed = time.monotonic()
            survivor = f"provisioner-{3 - victim}"

            async def taken_over() -> bool:
                now = await conn.fetchval(
                    "SELECT holder FROM provisioner.browser_profiles WHERE task_id = $1", task.task_id
                )
                return bool(now == survivor)

            await eventually(taken_over, timeout_s=LOCK_TTL_S * 3)
            takeover_s = time.monotonic() - killed
        finally:
            await conn.close()
        async with httpx.AsyncClient() as client:  # the browser kept running for its task
            assert (await client.get(f"{ready['cdp_url']}/json/version")).status_code == 200
        browser = cdp_owner(ready["cdp_url"])
        await bus.publish(ApplicationCompleted(task_id=task.task_id, user_id=task.user_id))
        await events.wait_for(task.task_id, "profile.released", timeout_s=20)
        assert not browser.is_running() or browser.status() == psutil.STATUS_ZOMBIE
        assert LOCK_TTL_S * 0.5 < takeover_s < LOCK_TTL_S * 3, takeover_s
        assert events.of(task.task_id, "task.failed") == []
    finally:
        for child in children.values():
            child.stop()


async def _gone(client: aioredis.Redis, profile_id: str) -> bool:
    return await client.get(locks.key(profile_id)) is None
