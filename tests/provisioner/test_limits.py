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


async def test_a_task_counted_once_is_not_held_back_by_its_own_count_when_it_comes_back(redis_url: str) -> None:
    """Seen in the soak: a person's fifth task was admitted, its start failed with PostgreSQL down,
    and its redelivery met the daily limit that its own first admission had filled (until tomorrow)."""
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=10, lease_ms=60_000, stale_ms=60_000)
    user = str(uuid.uuid4())
    for i in range(2):
        assert (await gate.ask(ask(user=user, user_limit=3, account_limit=3), NOW + i)).allowed
    last = ask(user=user, user_limit=3, account_limit=3)
    assert (await gate.ask(last, NOW + 10)).allowed
    await gate.free(last.task_id)
    assert (await gate.ask(last, NOW + 20)).allowed  # the same application, counted once
    await gate.free(last.task_id)
    # Another task of the user is held back by each window still.
    assert (await gate.ask(ask(user=user, user_limit=100, account_limit=3), NOW + 30)).reason == "account_hourly"
    assert (await gate.ask(ask(user=user, user_limit=3, account_limit=100), NOW + 30)).reason == "user_daily"
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


async def test_a_browser_waiting_for_a_person_is_parked_and_holds_no_slot_against_a_new_account(
    redis_url: str,
) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=1, lease_ms=60_000, stale_ms=60_000, parked=1)
    waiting = ask()
    assert (await gate.ask(waiting, NOW)).allowed
    behind = ask(queued=NOW + 1)
    assert (await gate.ask(behind, NOW + 1)).reason == "slots"
    assert await gate.settle(waiting.task_id, True, NOW + 2) == "parked"  # its task waits for a person
    assert (await gate.in_use(NOW + 2), await gate.parked_now(NOW + 2)) == (0, 1)
    assert (await gate.ask(behind, NOW + 3)).allowed  # another account's first task gets the slot
    second = ask(queued=NOW + 4)
    assert (await gate.ask(second, NOW + 4)).reason == "slots"
    assert await gate.settle(second.task_id, True, NOW + 5) == "none"  # not running: nothing to park
    # The budget is full: a second waiting browser keeps its slot, as before there was a budget.
    assert await gate.settle(behind.task_id, True, NOW + 6) == "slot"
    # The person came: the parked browser works again, past the slots; new tasks wait for it.
    assert await gate.settle(waiting.task_id, False, NOW + 7) == "slot"
    assert await gate.in_use(NOW + 7) == 2
    await gate.free(behind.task_id)
    assert (await gate.ask(second, NOW + 8)).reason == "slots"
    await gate.free(waiting.task_id)
    assert (await gate.ask(second, NOW + 9)).allowed
    await client.aclose()


async def test_a_task_joining_a_parked_browser_needs_a_slot_which_its_keeper_takes_back(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=1, lease_ms=60_000, stale_ms=60_000, parked=4)
    user = str(uuid.uuid4())
    keeper = ask(user=user)
    assert (await gate.ask(keeper, NOW)).allowed
    assert await gate.settle(keeper.task_id, True, NOW + 1) == "parked"
    other = ask()
    assert (await gate.ask(other, NOW + 2)).allowed  # the slot went to another account
    joining = ask(user=user, queued=NOW + 3)
    assert (await gate.ask(joining, NOW + 3, shared=True, keeper=keeper.task_id)).reason == "slots"
    await gate.free(other.task_id)
    assert (await gate.ask(joining, NOW + 4, shared=True, keeper=keeper.task_id)).allowed
    assert (await gate.in_use(NOW + 4), await gate.parked_now(NOW + 4)) == (1, 0)  # the keeper's slot
    await gate.hand_over(keeper.task_id, joining.task_id, NOW + 5)  # the keeper ended first
    assert await gate.settle(joining.task_id, True, NOW + 6) == "parked"
    await gate.renew(joining.task_id, NOW + 50_000)
    assert await gate.parked_now(NOW + 70_000) == 1  # the lease was renewed where it is
    await gate.free(joining.task_id)
    assert (await gate.in_use(NOW + 7), await gate.parked_now(NOW + 7)) == (0, 0)
    await client.aclose()
