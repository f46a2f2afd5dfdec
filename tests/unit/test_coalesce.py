"""runtime.coalesce: a call that finds nothing in flight goes at once and alone; the calls that come
while a batch is out go together in the next; each caller gets its own outcome."""

import asyncio

import pytest

from runtime.coalesce import Coalescer

pytestmark = pytest.mark.unit


class Recorder:
    """A batch call that records what it got and waits for the test to let it go."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()

    async def run(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        await self.release.wait()
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


async def test_a_call_with_nothing_in_flight_goes_at_once_and_alone() -> None:
    rec = Recorder()
    rec.release.set()
    group = Coalescer(rec.run)
    assert await group(4) == 40
    assert await group(6) == 60
    assert rec.batches == [[4], [6]]  # no waiting for company: each went alone, at once


async def test_calls_that_arrive_while_one_is_out_go_together_each_with_its_own_outcome() -> None:
    rec = Recorder()
    group = Coalescer(rec.run, max_batch=3)
    first = asyncio.create_task(group(0))
    await asyncio.sleep(0)
    later = [asyncio.create_task(group(i)) for i in range(1, 6)]
    await asyncio.sleep(0.01)
    assert rec.batches == [[0]]  # the first is out; the other five wait for it
    rec.release.set()
    assert await first == 0
    got = await asyncio.gather(*later, return_exceptions=True)
    assert rec.batches == [[0], [1, 2, 3], [4, 5]]  # at most three a batch, in arrival order
    assert [g if isinstance(g, int) else str(g) for g in got] == ["odd 1", 20, "odd 3", 40, "odd 5"]
    assert (group.batches, group.largest) == (3, 3)


async def test_a_batch_that_fails_as_a_whole_fails_each_of_its_callers_and_the_next_one_still_goes() -> None:
    calls: list[list[str]] = []
    gate = asyncio.Event()

    async def run(items: list[str]) -> list[str | BaseException]:
        calls.append(items)
        await gate.wait()
        if "boom" in items:
            raise ConnectionError("the server went away")
        return [i.upper() for i in items]

    group = Coalescer(run)
    first = asyncio.create_task(group("a"))
    await asyncio.sleep(0)
    doomed = [asyncio.create_task(group(x)) for x in ("boom", "b")]
    await asyncio.sleep(0)
    gate.set()
    assert await first == "A"
    for task in doomed:
        with pytest.raises(ConnectionError):
            await task
    assert await group("c") == "C"
    assert calls == [["a"], ["boom", "b"], ["c"]]


async def test_a_caller_that_gives_up_does_not_cancel_the_others() -> None:
    rec = Recorder()
    group = Coalescer(rec.run)
    first = asyncio.create_task(group(2))
    await asyncio.sleep(0)
    quitter = asyncio.create_task(group(4))
    stayer = asyncio.create_task(group(8))
    await asyncio.sleep(0)
    first.cancel()
    quitter.cancel()
    await asyncio.sleep(0)
    rec.release.set()
    assert await stayer == 80
    assert rec.batches == [[2], [4, 8]]  # the cancelled callers' items were still sent with the batch
    assert first.cancelled() and quitter.cancelled()


async def test_a_wrong_number_of_outcomes_is_an_error_for_every_caller() -> None:
    async def run(items: list[int]) -> list[int | BaseException]:
        return items[:-1]

    group = Coalescer(run)
    with pytest.raises(RuntimeError, match="a batch of 1 got 0 outcomes"):
        await group(1)
    with pytest.raises(ValueError):
        Coalescer(run, max_batch=0)
