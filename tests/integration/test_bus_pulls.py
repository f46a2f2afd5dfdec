"""One pull per idle consumer, not one per worker: a message still reaches an idle consumer at once,
a burst still fills every worker, and an idle consumer asks the server once per pull timeout."""

import asyncio
import time

import pytest

from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM
from runtime import consumer as consumer_module
from runtime.bus import Bus, Delivery
from tests.support import eventually, queued_event, queued_spec

pytestmark = pytest.mark.integration

WORKERS = 16
# Far below the pull's own timeout: a message is handed to the waiting pull, not found by
# the next one. Generous, for a loaded machine.
AT_ONCE_S = 1.5


@pytest.mark.parametrize("fetch_batch", [1, 100])
async def test_a_message_reaches_an_idle_consumer_at_once(
    bus: Bus, fetch_batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumer_module, "FETCH_TIMEOUT_S", 2.0)  # the test waits a pull out
    arrived: list[float] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        arrived.append(time.monotonic())

    bus.subscribe(queued_spec(fetch_batch=fetch_batch, max_ack_pending=WORKERS * fetch_batch), handle, WORKERS)
    await bus.start()
    await asyncio.sleep(consumer_module.FETCH_TIMEOUT_S + 0.5)  # idle for a whole pull and more
    latencies = []
    for _ in range(3):
        sent = time.monotonic()
        await bus.publish(queued_event())
        await eventually(lambda: len(arrived) == len(latencies) + 1, timeout_s=10)
        latencies.append(arrived[-1] - sent)
        await asyncio.sleep(0.3)
    assert max(latencies) < AT_ONCE_S, latencies


async def test_a_burst_fills_every_worker_though_one_pull_waits_at_a_time(bus: Bus) -> None:
    running, most = 0, 0
    release = asyncio.Event()

    async def handle(event: Event, delivery: Delivery) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1

    spec = queued_spec(max_ack_pending=WORKERS, ack_wait_s=30.0)
    bus.subscribe(spec, handle, WORKERS)
    await bus.start()
    await asyncio.gather(*(bus.publish(queued_event()) for _ in range(WORKERS + 4)))
    await eventually(lambda: most == WORKERS, timeout_s=10)
    release.set()
    await eventually(lambda: running == 0, timeout_s=10)
    info = await bus.js.consumer_info(EVENTS_STREAM, spec.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_an_idle_consumer_asks_once_per_pull_timeout_whatever_its_workers(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumer_module, "FETCH_TIMEOUT_S", 0.5)

    async def handle(event: Event, delivery: Delivery) -> None:
        pass

    bus.subscribe(queued_spec(), handle, WORKERS)
    await bus.start()
    sub = bus._consumers[0]._subs[0]
    asked = 0
    fetch = sub.fetch

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal asked
        asked += 1
        return await fetch(*args, **kwargs)  # type: ignore[arg-type]

    sub.fetch = counted  # type: ignore[method-assign]
    await asyncio.sleep(3.0)
    # Six pull timeouts: about six pulls, where a pull per worker made about 6 x 16.
    assert 2 <= asked <= 10, asked
    assert not bus.stalled()
