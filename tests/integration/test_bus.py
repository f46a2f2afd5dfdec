"""The bus against a real nats-server: dedupe, acks decided by error type, dead letters, traces."""

import asyncio
import itertools
import time

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts.envelope import Event
from contracts.streams import DEAD_LETTER_STREAM, EVENTS_STREAM, ConsumerSpec
from runtime import deadletter
from runtime.bus import Bus, Delivery
from runtime.errors import PermanentError
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


def with_dead_letters(bus: Bus, spec: ConsumerSpec) -> None:
    """Wires the dead-letter relay for one consumer, as every service does."""
    relay = deadletter.relay_spec(unique("svc"), [spec.durable])
    bus.subscribe_raw(
        relay, "AUTOAPPLY_ADVISORIES", lambda msg: deadletter.copy_to_dead_letters(bus.js, msg.subject, msg.data)
    )


async def test_the_same_event_published_twice_is_stored_and_handled_once(bus: Bus) -> None:
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    bus.subscribe(queued_spec(), handle)
    await bus.start()
    event = queued_event()
    first, second = await bus.publish(event), await bus.publish(event)
    assert not first.duplicate and second.duplicate and first.seq == second.seq
    await eventually(lambda: len(seen) == 1)
    await asyncio.sleep(0.3)
    assert seen == [event]
    assert (await bus.js.stream_info(EVENTS_STREAM)).state.messages == 1


async def test_an_invalid_event_goes_to_the_dead_letters_and_consuming_goes_on(bus: Bus) -> None:
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    spec = queued_spec()
    bus.subscribe(spec, handle)
    with_dead_letters(bus, spec)
    await bus.start()
    bad_subject = f"task.queued.normal.{queued_event().task_id}"
    await bus.publish_raw(bad_subject, b'{"type": "task.queued", "job_url": "not a url"}', {"Nats-Msg-Id": "bad-1"})
    good = queued_event()
    await bus.publish(good)
    await eventually(lambda: [e.event_id for e in seen] == [good.event_id])
    letters: list[deadletter.DeadLetter] = []

    async def one_letter() -> bool:
        letters[:] = await deadletter.list_dead_letters(bus.js)
        return len(letters) == 1

    await eventually(one_letter)
    (letter,) = letters
    assert letter.subject == bad_subject and letter.consumer == spec.durable
    assert "invalid task.queued event" in letter.reason and "job_url" in letter.reason
    assert letter.payload == b'{"type": "task.queued", "job_url": "not a url"}'
    assert letter.original_msg_id == "bad-1"


async def test_a_permanent_error_is_terminated_at_once_with_its_reason(bus: Bus) -> None:
    calls: list[int] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        calls.append(delivery.num_delivered)
        raise PermanentError("job closed: the posting says so")

    spec = queued_spec()
    bus.subscribe(spec, handle)
    with_dead_letters(bus, spec)
    await bus.start()
    event = queued_event()
    await bus.publish(event, {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1))
    (letter,) = await deadletter.list_dead_letters(bus.js)
    assert calls == [1]
    assert letter.reason == "job closed: the posting says so"
    assert letter.headers["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c")
    assert letter.payload == event.model_dump_json().encode()


async def test_a_poison_message_reaches_the_dead_letters_after_max_deliver_with_backoff(bus: Bus) -> None:
    times: list[float] = []
    later: list[Event] = []
    backoff = (0.3, 0.6, 0.9)

    async def handle(event: Event, delivery: Delivery) -> None:
        if event.job_key == "poison":  # type: ignore[attr-defined]
            times.append(time.monotonic())
            raise RuntimeError("the page layout is not what we expected")
        later.append(event)

    spec = queued_spec(max_deliver=4, backoff_s=backoff)
    bus.subscribe(spec, handle)
    with_dead_letters(bus, spec)
    await bus.start()
    await bus.publish(queued_event(job_key="poison"))
    healthy = queued_event()
    await bus.publish(healthy)
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1), timeout_s=15)
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    for gap, wanted in zip(gaps, backoff, strict=True):
        assert gap >= wanted * 0.9, (gaps, backoff)  # not a tight loop
    (letter,) = await deadletter.list_dead_letters(bus.js)
    assert "gave up after 4 failed deliveries" in letter.reason and "page layout" in letter.reason
    assert [e.event_id for e in later] == [healthy.event_id]


async def test_a_dead_letter_replays_onto_its_subject(bus: Bus) -> None:
    outcomes: list[str] = []
    fixed = asyncio.Event()

    async def handle(event: Event, delivery: Delivery) -> None:
        if not fixed.is_set():
            outcomes.append("refused")
            raise PermanentError("the answer bank had no entry")
        outcomes.append("applied")

    spec = queued_spec()
    bus.subscribe(spec, handle)
    with_dead_letters(bus, spec)
    await bus.start()
    await bus.publish(queued_event())
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1))
    (letter,) = await deadletter.list_dead_letters(bus.js)
    fixed.set()
    assert (await deadletter.replay(bus.js, letter.seq)).startswith("task.queued.")
    await eventually(lambda: outcomes == ["refused", "applied"])
    assert await deadletter.list_dead_letters(bus.js) == []


async def test_long_steps_send_heartbeats_and_are_not_redelivered(bus: Bus) -> None:
    deliveries: list[int] = []

    async def slow(event: Event, delivery: Delivery) -> None:
        deliveries.append(delivery.num_delivered)
        await asyncio.sleep(3.5)  # more than three times ack_wait

    bus.subscribe(queued_spec(ack_wait_s=1.0, max_deliver=3, backoff_s=()), slow)
    await bus.start()
    await bus.publish(queued_event())
    await eventually(lambda: len(deliveries) == 1)
    await asyncio.sleep(4.5)
    assert deliveries == [1]


async def test_a_publish_and_its_consumption_share_one_trace(nats: object) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    bus = Bus([nats.url], unique("traced"), tracer_provider=provider)  # type: ignore[attr-defined]
    seen: list[tuple[str, int]] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        from opentelemetry import trace

        seen.append((delivery.headers["traceparent"], trace.get_current_span().get_span_context().trace_id))

    bus.subscribe(queued_spec(), handle)
    await bus.start()
    try:
        with provider.get_tracer("test").start_as_current_span("user submits a task") as root:
            await bus.publish(queued_event())
        await eventually(lambda: len(seen) == 1)
    finally:
        await bus.close()
    traceparent, trace_id = seen[0]
    root_trace = root.get_span_context().trace_id
    assert traceparent.split("-")[1] == format(root_trace, "032x")
    assert trace_id == root_trace
    spans = exporter.get_finished_spans()
    assert {s.context.trace_id for s in spans} == {root_trace}
    assert any(s.name.startswith("handle task.queued") for s in spans)


async def test_two_instances_share_a_durable_and_split_the_work(nats: object) -> None:
    spec = queued_spec(max_ack_pending=64)
    handled: dict[str, list[str]] = {"a": [], "b": []}
    buses = [Bus([nats.url], unique(name)) for name in handled]  # type: ignore[attr-defined]
    for name, instance in zip(handled, buses, strict=True):

        async def handle(event: Event, delivery: Delivery, name: str = name) -> None:
            await asyncio.sleep(0.02)
            handled[name].append(str(event.event_id))

        instance.subscribe(spec, handle)
        await instance.start()
    try:
        events = [queued_event() for _ in range(60)]
        for event in events:
            await buses[0].publish(event)
        await eventually(lambda: len(handled["a"]) + len(handled["b"]) >= 60, timeout_s=20)
        await asyncio.sleep(0.3)
    finally:
        for instance in buses:
            await instance.close()
    everything = handled["a"] + handled["b"]
    assert sorted(everything) == sorted(str(e.event_id) for e in events)  # each once, none lost
    assert handled["a"] and handled["b"]  # both took a share


async def _count(bus: Bus, stream: str, n: int) -> bool:
    return (await bus.js.stream_info(stream)).state.messages == n


async def test_a_publish_without_a_message_id_is_refused(bus: Bus) -> None:
    with pytest.raises(ValueError, match="Nats-Msg-Id"):
        await bus.publish_raw("task.queued.normal.x", b"{}", {})
