"""runtime.periodic: a loop beside a step ends with the step, even when a cancel of it is lost.

The lost cancel is the one Python 3.11's asyncio.wait_for drops when its inner call finishes as the
cancel arrives (redis-py and nats-py call it inside every command); here a beat that swallows its
CancelledError plays that part deterministically."""

import asyncio
import logging
import time

import pytest

from runtime import periodic

pytestmark = pytest.mark.unit


async def test_the_loop_ends_with_the_block_even_when_its_cancel_is_lost() -> None:
    beats = 0
    entered = asyncio.Event()

    async def beat() -> None:
        nonlocal beats
        beats += 1
        entered.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            pass  # the lost cancel: the call returns as if nothing happened

    began = time.monotonic()
    async with periodic.alongside(0.0, beat, name="lease"):
        await entered.wait()
    assert time.monotonic() - began < 2.0  # the flag ended it, without waiting for a second cancel
    after = beats
    await asyncio.sleep(0.2)
    assert beats == after  # nothing beats once the block is over
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "lease"]


async def test_a_task_that_drops_its_cancel_is_cancelled_again() -> None:
    dropped = 0

    async def stubborn() -> None:
        nonlocal dropped
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                dropped += 1
                if dropped > 1:
                    raise  # the second cancel is delivered

    task = asyncio.create_task(stubborn(), name="reaper")
    await asyncio.sleep(0)
    await periodic.cancel([task], within_s=10)
    assert task.cancelled() and dropped == 2


async def test_a_task_that_never_stops_is_given_up_on_in_time_and_said(caplog: pytest.LogCaptureFixture) -> None:
    deaf_until_told = True

    async def deaf() -> None:
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if not deaf_until_told:
                    raise

    task = asyncio.create_task(deaf(), name="deaf loop")
    await asyncio.sleep(0)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="runtime.periodic"):
        await periodic.cancel([task], within_s=0.3)
    assert time.monotonic() - began < 2.0 and not task.done()  # the caller goes on
    assert "deaf loop did not stop" in caplog.text
    deaf_until_told = False
    await periodic.cancel([task])
    assert task.cancelled()


async def test_a_beat_that_fails_is_logged_and_the_block_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise RuntimeError("redis went away")

    with caplog.at_level(logging.WARNING, logger="runtime.periodic"):
        async with periodic.alongside(0.0, broken, name="renewal"):
            await asyncio.sleep(0.05)
    assert "renewal failed: RuntimeError('redis went away')" in caplog.text


async def test_rounds_go_on_after_a_round_that_fails(caplog: pytest.LogCaptureFixture) -> None:
    ran = 0
    third = asyncio.Event()

    async def work() -> None:
        nonlocal ran
        ran += 1
        if ran == 3:
            third.set()
        if ran == 1:
            raise RuntimeError("a connection a restart left broken")

    with caplog.at_level(logging.WARNING, logger="runtime.periodic"):
        task = asyncio.create_task(periodic.rounds(0.01, work, "sweep"))
        await asyncio.wait_for(third.wait(), timeout=5)
        await periodic.cancel([task])
    assert task.cancelled()
    assert "sweep failed this round, will retry" in caplog.text and "a connection a restart left broken" in caplog.text
