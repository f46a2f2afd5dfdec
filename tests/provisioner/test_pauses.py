"""A platform's pause of an account (user.account_paused) on a real Redis, PostgreSQL and
provisioner process: no task of that account gets a browser before the pause ends, the task that
met a daily limit has its browser stopped and is provisioned again once it ends."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import psutil
import pytest
import redis.asyncio as aioredis

from autoapply.local.nats import NatsServer
from contracts.applications import ApplicationCompleted
from contracts.tasks import TaskQueued
from contracts.users import AccountPaused
from runtime.bus import Bus
from services.provisioner.limits import Gate
from tests.processes import wait_healthy
from tests.provisioner.helpers import Events, start_provisioner
from tests.provisioner.test_limits import NOW, ask
from tests.provisioner.test_service import _browser_pid
from tests.support import eventually, queued_event

pytestmark = pytest.mark.integration


async def test_a_paused_account_gets_no_slot_before_the_pause_ends(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=10, lease_ms=60_000, stale_ms=60_000)
    user = str(uuid.uuid4())
    assert await gate.pause("linkedin", user, NOW + 60_000, NOW)
    held = await gate.ask(ask(user=user), NOW + 1)
    assert (held.reason, held.until_ms) == ("account_paused", NOW + 60_000)
    assert "linkedin paused this account, until 20" in held.describe("linkedin", 10)
    assert not await gate.pause("linkedin", user, NOW + 30_000, NOW)  # a shorter pause cuts nothing short
    assert not await gate.pause("linkedin", user, NOW - 1, NOW)  # nor does one that already ended
    other = ask(user=user)
    assert (await gate.ask(ask(), NOW + 2)).allowed  # another account goes on
    assert (await gate.ask(other, NOW + 60_001)).allowed
    await client.aclose()


async def test_a_checkpoint_holds_the_accounts_other_tasks_until_the_user_passes_it(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=10, lease_ms=60_000, stale_ms=60_000)
    user = str(uuid.uuid4())
    met, other, elsewhere = ask(user=user), ask(user=user), ask()
    assert (await gate.ask(met, NOW)).allowed
    await gate.hold("linkedin", user, "checkpoint", met.task_id)
    held = await gate.ask(other, NOW + 1)
    assert (held.allowed, held.reason, held.until_ms) == (False, "checkpoint", 0)
    assert held.describe("linkedin", 10) == "waiting: linkedin asks this account for a security check"
    assert await gate.held("linkedin", user, other.task_id) == held  # the check before the browser is claimed
    assert await gate.held("linkedin", user, met.task_id) is None  # the task that met it keeps its browser
    assert (await gate.ask(met, NOW + 2)).allowed
    assert (await gate.ask(elsewhere, NOW + 3)).allowed  # another account goes on
    assert 0 < await client.pttl(f"provisioner:held:linkedin:{user}") <= 7 * 86_400_000  # never forever
    assert await gate.unhold("linkedin", user)  # the user passed it
    assert (await gate.ask(other, NOW + 4)).allowed
    await gate.hold("linkedin", user, "two_step", met.task_id)
    assert (
        (await gate.held("linkedin", user, other.task_id) or held)
        .describe("linkedin", 1)
        .endswith("asks this account for two-step verification")
    )
    assert await gate.unhold_task(user, other.task_id) == 0  # another task's end changes nothing
    assert await gate.unhold_task(user, met.task_id) == 1  # the task that met it ended: the next one meets it
    assert await gate.held("linkedin", user, other.task_id) is None
    with pytest.raises(ValueError, match="not a pause that waits"):
        await gate.hold("linkedin", user, "daily_limit", met.task_id)
    await client.aclose()


async def test_a_checkpoint_pause_on_the_bus_holds_the_account_and_its_end_frees_it(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path)
    try:
        await wait_healthy(child)
        first = queued_event(platform="linkedin")
        await bus.publish(first)
        await events.wait_for(first.task_id, "profile.ready")
        paused = _checkpoint(first, None)
        await bus.publish(paused)
        second = queued_event(platform="linkedin", user_id=first.user_id)
        await bus.publish(second)
        said = "waiting: linkedin asks this account for a security check"
        await eventually(lambda: any(e["detail"] == said for e in _progress(events, second)), timeout_s=30)
        await bus.publish(_checkpoint(first, datetime.now(UTC)))  # the executor: the user passed it
        redis = aioredis.from_url(redis_url, decode_responses=True)
        try:
            await eventually(lambda: _gone(redis, f"provisioner:held:linkedin:{first.user_id}"), timeout_s=20)
        finally:
            await redis.aclose()
        await bus.publish(ApplicationCompleted(task_id=first.task_id, user_id=first.user_id))
        await events.wait_for(second.task_id, "profile.ready", timeout_s=30)
    finally:
        child.stop()


def _checkpoint(task: TaskQueued, until: datetime | None) -> AccountPaused:
    return AccountPaused(
        task_id=task.user_id,
        user_id=task.user_id,
        platform="linkedin",
        reason="checkpoint",
        until=until,
        message="linkedin asks for a security check",
        source_task_id=task.task_id,
    )


async def _gone(redis: aioredis.Redis, key: str) -> bool:
    return not await redis.exists(key)


async def test_a_daily_limit_stops_the_tasks_browser_and_provisions_it_again_when_the_pause_ends(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path)
    try:
        await wait_healthy(child)
        first = queued_event(platform="linkedin")
        await bus.publish(first)
        ready = await events.wait_for(first.task_id, "profile.ready")
        pid = _browser_pid(ready["cdp_url"])
        until = datetime.now(UTC) + timedelta(seconds=5)
        paused = AccountPaused(
            task_id=first.user_id,
            user_id=first.user_id,
            platform="linkedin",
            reason="daily_limit",
            until=until,
            message="You've reached the Easy Apply application limit for today.",
            source_task_id=first.task_id,
        )
        await bus.publish(paused)
        await eventually(lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie", 30)
        second = queued_event(platform="linkedin", user_id=first.user_id)  # another job of the account
        other = queued_event(platform="linkedin")  # another user's account is not held
        await bus.publish(second)
        await bus.publish(other)
        await events.wait_for(other.task_id, "profile.ready")
        await eventually(
            lambda: any(
                "paused this account" in (e["detail"] or "") for e in events.of(second.task_id, "task.progress")
            ),
            timeout_s=30,
        )
        # When the pause ends, the task sent back and the account's other task both want its one
        # browser: each gets it in turn, neither a moment before the pause ended.
        await eventually(lambda: _ready(events, first, 2) or _ready(events, second, 1), timeout_s=30)
        assert time.time() >= until.timestamp()
        served, waiting, count = (first, second, 1) if _ready(events, first, 2) else (second, first, 2)
        assert events.of(served.task_id, "profile.ready")[-1]["profile_id"] == ready["profile_id"]
        await bus.publish(ApplicationCompleted(task_id=served.task_id, user_id=served.user_id))
        await events.wait_for(waiting.task_id, "profile.ready", timeout_s=30, count=count)
        conn = await asyncpg.connect(fresh_database)
        try:
            row = await conn.fetchrow("SELECT * FROM provisioner.account_pauses WHERE user_id = $1", first.user_id)
        finally:
            await conn.close()
        assert row is not None and (row["reason"], row["until"]) == ("daily_limit", until)
        assert row["source_task_id"] == first.task_id
    finally:
        child.stop()


def _ready(events: Events, task: TaskQueued, count: int) -> bool:
    return len(events.of(task.task_id, "profile.ready")) >= count


def _progress(events: Events, task: TaskQueued) -> list[dict[str, object]]:
    return events.of(task.task_id, "task.progress")
