"""Tasks out of browser slots wait in place and are woken when a slot frees for them (wakes.py)."""

import asyncio
import time
import uuid

import pytest
import redis.asyncio as aioredis

from contracts.states import Priority
from services.provisioner.limits import Ask, Gate
from services.provisioner.wakes import Waiters

pytestmark = pytest.mark.integration


def ask(priority: Priority = Priority.NORMAL, queued_ms: int = 0) -> Ask:
    queued = queued_ms or int(time.time() * 1000)
    return Ask(str(uuid.uuid4()), str(uuid.uuid4()), "greenhouse", priority, queued, 100, 100, 0)


def now_ms() -> int:
    return int(time.time() * 1000)


async def test_a_freed_slot_wakes_the_head_of_the_line_only(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    gate = Gate(client, slots=1, lease_ms=60_000, stale_ms=30_000)
    waiters = Waiters(client, slots=1, stale_ms=30_000, poll_s=0.05)
    running = ask()
    assert (await gate.ask(running, now_ms())).allowed
    first, second = ask(queued_ms=now_ms() - 2000), ask(queued_ms=now_ms() - 1000)
    assert [(await gate.ask(t, now_ms())).reason for t in (second, first)] == ["slots", "slots"]
    loop = asyncio.create_task(waiters.run(lambda: False))
    try:
        waits = [asyncio.create_task(waiters.wait(t.task_id, 5)) for t in (first, second)]
        await asyncio.sleep(0.3)
        assert not any(w.done() for w in waits)  # no slot free: nobody is woken, nobody polls the gate
        await gate.free(running.task_id)
        assert await asyncio.wait_for(waits[0], 2) is True  # the one queued first, not both
        assert not waits[1].done()
        assert (await gate.ask(first, now_ms())).allowed
        await gate.free(first.task_id)
        assert await asyncio.wait_for(waits[1], 2) is True
    finally:
        loop.cancel()
    await client.aclose()


async def test_a_wait_in_place_keeps_the_waiter_in_line_ends_at_its_hold_and_at_a_stop(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    # Waiters count as gone after 0.4 s without a word: waiting in place must keep this one in line.
    gate = Gate(client, slots=1, lease_ms=60_000, stale_ms=400)
    waiters = Waiters(client, slots=1, stale_ms=400, poll_s=0.05)
    assert (await gate.ask(ask(), now_ms())).allowed
    early, late = ask(queued_ms=now_ms() - 5000), ask()
    assert (await gate.ask(early, now_ms())).reason == "slots"
    stopping = False
    loop = asyncio.create_task(waiters.run(lambda: stopping))
    try:
        began = time.monotonic()
        assert await waiters.wait(early.task_id, 1.0) is False  # its hold ran out: back by a short nak
        assert 0.9 < time.monotonic() - began < 3
        # Still first in line after more than the stale time: a task queued later does not overtake it.
        assert await client.zscore("provisioner:waiting", early.task_id) is not None
        assert (await gate.ask(late, now_ms())).reason == "slots"
        pending = asyncio.create_task(waiters.wait(early.task_id, 30))
        await asyncio.sleep(0.2)
        stopping = True
        assert await asyncio.wait_for(pending, 2) is False  # let go at the stop, not after its hold
        assert await waiters.wait(late.task_id, 30) is False and len(waiters) == 0
    finally:
        loop.cancel()
    await client.aclose()
