"""user.deleted on a real provisioner: the user's running browser stops, and nothing of theirs is left
(profiles and their files, bindings, tasks, locks, rate-limit keys); their proxy serves nobody again."""

from collections.abc import Callable
from pathlib import Path

import asyncpg
import psutil
import pytest
import redis.asyncio as aioredis

from autoapply.local.nats import NatsServer
from contracts.users import UserDeleted
from runtime.bus import Bus
from tests.processes import wait_healthy
from tests.provisioner.conftest import ProxyServer
from tests.provisioner.helpers import Events, start_provisioner
from tests.provisioner.test_service import _browser_pid
from tests.support import eventually, queued_event

pytestmark = pytest.mark.integration

USER_TABLES = ("browser_profiles", "proxy_bindings", "tasks", "task_ledger")


async def _left(dsn: str, user_id: object) -> dict[str, int]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "provisioner"})
    try:
        count = "SELECT count(*) FROM {} WHERE user_id = $1"
        return {t: int(await conn.fetchval(count.format(t), user_id)) for t in USER_TABLES}
    finally:
        await conn.close()


async def _user_keys(redis_url: str, user_id: object, profile_id: str) -> list[str]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        keys = [k async for k in client.scan_iter(match="provisioner:*")]
        return [k for k in keys if str(user_id) in k or profile_id in k]
    finally:
        await client.aclose()


async def test_a_deleted_user_leaves_nothing_in_the_provisioner(
    nats: NatsServer,
    fresh_database: str,
    redis_url: str,
    tmp_path: Path,
    echo_url: str,
    proxy_factory: Callable[[], ProxyServer],
    events: Events,
    bus: Bus,
) -> None:
    proxy = proxy_factory()
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path, proxies=proxy.url, proxy_check_url=echo_url)
    try:
        await wait_healthy(child)
        task = queued_event(platform="greenhouse")
        await bus.publish(task)
        ready = await events.wait_for(task.task_id, "profile.ready")
        pid = _browser_pid(ready["cdp_url"])
        profile_dir = tmp_path / "files" / "browsers" / ready["profile_id"]
        assert profile_dir.is_dir() and await _user_keys(redis_url, task.user_id, ready["profile_id"])
        assert all(await _left(fresh_database, task.user_id))

        deleted = UserDeleted(task_id=task.user_id, user_id=task.user_id)
        await bus.publish(deleted)

        # The handler's last line: the rows go first, the locks and limit keys after them.
        await eventually(lambda: "forgot a user: 1 profiles, 1 tasks" in child.tail(), timeout_s=30)
        assert not any((await _left(fresh_database, task.user_id)).values())
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert not profile_dir.exists()
        assert await _user_keys(redis_url, task.user_id, ready["profile_id"]) == []
        await bus.publish(UserDeleted(task_id=task.user_id, user_id=task.user_id))  # asked twice: nothing to do
        await eventually(lambda: "forgot a user: 0 profiles, 0 tasks" in child.tail(), timeout_s=15)

        # A task of theirs that arrives late (replayed from the stream) makes no profile again.
        late = queued_event(platform="greenhouse", user_id=task.user_id)
        await bus.publish(late)
        await eventually(lambda: f"task {late.task_id} belongs to a deleted user" in child.tail(), timeout_s=15)
        assert events.of(late.task_id, "profile.ready") == [] and not any(
            (await _left(fresh_database, task.user_id)).values()
        )

        # The one proxy was this user's: another user's task never gets it, so it fails unproxied-never.
        other = queued_event(platform="greenhouse")
        await bus.publish(other)
        failed = await events.wait_for(other.task_id, "profile.failed", timeout_s=30)
        assert "no free proxy" in failed["message"]
        assert events.of(other.task_id, "profile.ready") == []
        assert "Traceback" not in child.tail()
    finally:
        child.stop()
