"""Bounded work, graceful stop, where new durables start, pausing and liveness, on a real nats-server."""

import asyncio

import pytest

from autoapply.local.nats import NatsServer
from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM
from runtime import consumer as consumer_module
from runtime.bus import Bus, Delivery
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


async def test_a_hung_handler_is_cancelled_after_max_run_and_retried(bus: Bus) -> None:
    attempts: list[int] = []
    cancelled: list[int] = []

    async def hangs_once(event: Event, delivery: Delivery) -> None:
        attempts.append(delivery.num_delivered)
        if delivery.num_delivered == 1:
            try:
                await asyncio.sleep(3600)  # heartbeats would keep it forever
            except asyncio.CancelledError:
                cancelled.append(delivery.num_delivered)
                raise

    bus.subscribe(queued_spec(ack_wait_s=1.0, max_run_s=0.5, backoff_s=(0.2,)), hangs_once)
    await bus.start()
    await bus.publish(queued_event())
    await eventually(lambda: attempts == [1, 2], timeout_s=5)
    assert cancelled == [1]


async def test_stop_lets_short_handlers_finish_and_naks_the_rest_for_another_instance(nats: NatsServer) -> None:
    spec = queued_spec(ack_wait_s=30.0, max_ack_pending=8)
    first, second = Bus([nats.url], unique("first")), Bus([nats.url], unique("second"))
    finished: list[str] = []
    taken_over: list[tuple[str, int]] = []

    async def slow_or_quick(event: Event, delivery: Delivery) -> None:
        await asyncio.sleep(0.5 if event.job_key == "quick" else 3600)  # type: ignore[attr-defined]
        finished.append(event.job_key)  # type: ignore[attr-defined]

    async def record(event: Event, delivery: Delivery) -> None:
        taken_over.append((event.job_key, delivery.num_delivered))  # type: ignore[attr-defined]

    first.subscribe(spec, slow_or_quick, workers=2)
    await first.start()
    try:
        await first.publish(queued_event(job_key="quick"))
        await first.publish(queued_event(job_key="slow"))
        await eventually(lambda: all(w.busy_since for w in first._consumers[0].workers))
        await first.close(grace_s=1.5)
        second.subscribe(spec, record)
        await second.start()
        await eventually(lambda: len(taken_over) == 1, timeout_s=5)  # long before the 30 s ack wait
        await asyncio.sleep(0.5)
    finally:
        await second.close()
    assert finished == ["quick"]
    assert taken_over == [("slow", 2)]


async def test_a_new_durable_starts_from_new_messages_and_a_read_model_from_the_start(bus: Bus) -> None:
    old = queued_event()
    await bus.publish(old)
    seen: dict[str, list[str]] = {"new": [], "all": []}
    for start in ("new", "all"):

        async def handle(event: Event, delivery: Delivery, start: str = start) -> None:
            seen[start].append(str(event.event_id))

        bus.subscribe(queued_spec(start_from=start), handle)
    await bus.start()
    fresh = queued_event()
    await bus.publish(fresh)
    await eventually(lambda: len(seen["all"]) == 2 and len(seen["new"]) == 1)
    assert seen["new"] == [str(fresh.event_id)]
    assert seen["all"] == [str(old.event_id), str(fresh.event_id)]


async def test_a_paused_consumer_fetches_nothing_until_resumed(bus: Bus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consumer_module, "FETCH_TIMEOUT_S", 1.0)  # a short pull: the test waits one out
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    spec = queued_spec()
    bus.subscribe(spec, handle)
    await bus.start()
    bus.pause(True)
    await asyncio.sleep(consumer_module.FETCH_TIMEOUT_S + 0.3)  # a fetch already waiting ends first
    await bus.publish(queued_event())
    await asyncio.sleep(1.5)
    pending = (await bus.js.consumer_info(EVENTS_STREAM, spec.durable)).num_pending
    assert seen == [] and pending == 1
    assert not bus.stalled()  # paused is not stalled
    bus.pause(False)
    await eventually(lambda: len(seen) == 1)


async def test_a_fetch_loop_that_stops_making_progress_is_reported_stalled(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumer_module, "FETCH_TIMEOUT_S", 1.0)

    async def handle(event: Event, delivery: Delivery) -> None:
        pass

    spec = queued_spec()
    bus.subscribe(spec, handle)
    await bus.start()
    consumer = bus._consumers[0]
    assert not consumer.stalled(stall_after_s=0.5)

    async def never_returns(*args: object, **kwargs: object) -> list[object]:
        await asyncio.Event().wait()
        return []

    consumer._subs[0].fetch = never_returns  # type: ignore[method-assign,assignment]
    await asyncio.sleep(consumer_module.FETCH_TIMEOUT_S + 1.0)
    assert consumer.stalled(stall_after_s=0.5)


async def test_the_client_pings_every_few_seconds(bus: Bus) -> None:
    conn = bus.broker._connection
    assert conn is not None
    assert conn.options["ping_interval"] <= 5 and conn.options["max_outstanding_pings"] <= 3
