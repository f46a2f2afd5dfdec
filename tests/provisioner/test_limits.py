"""The gate on a real Redis: priority among waiters, sliding hourly and daily windows, spacing, slots."""

import uuid

import pytest
import redis.asyncio as aioredis

from contracts.states import Priority
from services.provisioner.limits import Ask, Gate

pytestmark = pytest.mark.integration
NOW = 1_800_000_000_000


def ask(priority: Priority = Priority.NORMAL, user: str | None = None, queued: int = NOW, **extra: int) -> Ask:
    fields = {"account_limit": 100, "user_limit": 100, "spacing_ms": 0, **extra}
    return Ask(str(uuid.uuid4()), user or str(uuid.uuid4()), "linkedin", priority, queued, **fields)


async def test_a_freed_slot_goes_to_the_highest_priority_waiter(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=1, lease_ms=60_000, stale_ms=60_000)
    first = ask()
    assert (await gate.ask(first, NOW)).allowed
    low, high = ask(Priority.LOW, queued=NOW - 5000), ask(Priority.HIGH, queued=NOW)
    assert (await gate.ask(low, NOW)).reason == "slots"
    assert (await gate.ask(high, NOW)).reason == "slots"
    await gate.free(first.task_id)
    assert not (await gate.ask(low, NOW + 1)).allowed  # the high one, queued later, waits ahead of it
    assert (await gate.ask(high, NOW + 2)).allowed
    await client.aclose()


async def test_hourly_and_daily_windows_slide_and_say_until_when(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=10, lease_ms=60_000, stale_ms=60_000)
    user = str(uuid.uuid4())
    for i in range(2):
        assert (await gate.ask(ask(user=user, account_limit=2), NOW + i)).allowed
    over = await gate.ask(ask(user=user, account_limit=2), NOW + 10)
    assert (over.reason, over.until_ms) == ("account_hourly", NOW + 3_600_000)
    assert (await gate.ask(ask(user=user, account_limit=2), NOW + 3_600_001)).allowed
    daily = await gate.ask(ask(user=user, user_limit=3), NOW + 3_600_002)
    assert (daily.reason, daily.until_ms) == ("user_daily", NOW + 86_400_000)
    await client.aclose()


async def test_spacing_holds_the_account_but_not_the_task_that_set_it(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=10, lease_ms=60_000, stale_ms=60_000)
    user = str(uuid.uuid4())
    first = ask(user=user, spacing_ms=30_000)
    assert (await gate.ask(first, NOW)).allowed
    await gate.free(first.task_id)
    assert (await gate.ask(first, NOW + 1000)).allowed  # its own retry is not held back
    spaced = await gate.ask(ask(user=user), NOW + 1000)
    assert (spaced.reason, spaced.until_ms) == ("spacing", NOW + 30_000)
    assert (await gate.ask(ask(), NOW + 1000)).allowed  # another account is not held back
    await client.aclose()


async def test_a_task_sharing_the_accounts_browser_takes_no_slot_but_counts_and_is_spaced(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=1, lease_ms=60_000, stale_ms=60_000)
    user = str(uuid.uuid4())
    keeper = ask(user=user, account_limit=2, spacing_ms=30_000)
    assert (await gate.ask(keeper, NOW)).allowed  # the one slot: the account's browser
    joining = ask(user=user, account_limit=2, spacing_ms=30_000)
    spaced = await gate.ask(joining, NOW + 1000, shared=True)
    assert (spaced.reason, spaced.until_ms) == ("spacing", NOW + 30_000)  # spacing holds a tab too
    assert (await gate.ask(joining, NOW + 30_001, shared=True)).allowed  # no slot needed
    assert await gate.in_use(NOW + 30_001) == 1
    third = await gate.ask(ask(user=user, account_limit=2), NOW + 70_000, shared=True)
    assert third.reason == "account_hourly"  # both tasks counted in the account's hour
    await gate.hand_over(keeper.task_id, joining.task_id, NOW + 70_000)  # the keeper ended first
    assert (await gate.ask(joining, NOW + 70_001)).allowed and await gate.in_use(NOW + 70_001) == 1
    await client.aclose()
