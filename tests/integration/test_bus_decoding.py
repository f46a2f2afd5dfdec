"""The bus receives raw messages: a newer producer's fields and types are tolerated, a body that is
not JSON reaches the dead letters with its reason, and an outage is never poison."""

import asyncio
import uuid

import pytest

from contracts.envelope import Event
from contracts.streams import DEAD_LETTER_STREAM, EVENTS_STREAM, ConsumerSpec
from runtime import deadletter
from runtime.bus import Bus, Delivery
from runtime.errors import DependencyDown
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


async def test_an_event_with_a_field_from_a_newer_producer_is_handled(bus: Bus) -> None:
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    bus.subscribe(queued_spec(), handle)
    await bus.start()
    event = queued_event()
    newer = event.model_dump_json()[:-1] + ', "seniority": "staff"}'
    await bus.publish_raw(f"task.queued.normal.{event.task_id}", newer.encode(), {"Nats-Msg-Id": "newer-1"})
    await eventually(lambda: len(seen) == 1)
    assert seen == [event]
    assert await _messages(bus, DEAD_LETTER_STREAM) == 0


async def test_a_wildcard_consumer_acks_and_counts_unknown_event_types(bus: Bus) -> None:
    seen: list[str] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event.TYPE)

    spec = ConsumerSpec(durable=unique("wildcard"), filter_subjects=("task.>",), skip_unknown_types=True)
    bus.subscribe(spec, handle)
    await bus.start()
    for n in range(2):
        subject = f"task.transmogrified.{uuid.uuid4()}"
        await bus.publish_raw(subject, b'{"type": "task.transmogrified"}', {"Nats-Msg-Id": f"new-type-{n}"})
    await bus.publish(queued_event())
    await eventually(lambda: seen == ["task.queued"])
    await eventually(lambda: bus.unknown_types["task.transmogrified"] == 2)
    info = await bus.js.consumer_info(EVENTS_STREAM, spec.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0 and info.num_redelivered == 0
    assert await _messages(bus, DEAD_LETTER_STREAM) == 0


async def test_a_body_that_is_not_json_reaches_the_dead_letters_with_its_reason(bus: Bus) -> None:
    async def handle(event: Event, delivery: Delivery) -> None:
        raise AssertionError("never decoded")

    spec = queued_spec(ack_wait_s=1.0)
    bus.subscribe(spec, handle)
    await bus.start()
    headers = {"Nats-Msg-Id": "garbled-1", "content-type": "application/json"}
    await bus.publish_raw(f"task.queued.normal.{uuid.uuid4()}", b"\x00not json{", headers)
    await eventually(lambda: _has(bus, DEAD_LETTER_STREAM, 1))
    (letter,) = await deadletter.list_dead_letters(bus.js)
    assert letter.reason.startswith("invalid task.queued event:") and "JSON" in letter.reason
    assert letter.payload == b"\x00not json{" and letter.deliveries == "1"


async def test_an_outage_longer_than_the_retry_budget_is_not_poison(bus: Bus) -> None:
    deliveries: list[int] = []

    async def database_down_for_a_while(event: Event, delivery: Delivery) -> None:
        deliveries.append(delivery.num_delivered)
        if delivery.num_delivered <= 6:
            raise DependencyDown("postgres: connection refused", delay_s=0.1)

    spec = queued_spec(max_deliver=2, backoff_s=(0.1,))
    bus.subscribe(spec, database_down_for_a_while)
    await bus.start()
    await bus.publish(queued_event())
    await eventually(lambda: len(deliveries) == 7)
    await asyncio.sleep(0.5)
    assert deliveries == [1, 2, 3, 4, 5, 6, 7]  # three times the budget of 2, then applied
    assert await _messages(bus, DEAD_LETTER_STREAM) == 0
    assert (await bus.js.consumer_info(EVENTS_STREAM, spec.durable)).num_ack_pending == 0


async def test_real_failures_after_an_outage_still_end_in_the_dead_letters(bus: Bus) -> None:
    deliveries: list[int] = []

    async def outage_then_bug(event: Event, delivery: Delivery) -> None:
        deliveries.append(delivery.num_delivered)
        if delivery.num_delivered == 1:  # a bare socket error: naked after the outage delay
            raise ConnectionRefusedError(111, "Connect call failed")
        if delivery.num_delivered <= 3:
            raise DependencyDown("redis: connection reset", delay_s=0.1)
        raise KeyError("a field the handler expected")

    bus.subscribe(queued_spec(max_deliver=2, backoff_s=(0.1,)), outage_then_bug)
    await bus.start()
    await bus.publish(queued_event())
    await eventually(lambda: _has(bus, DEAD_LETTER_STREAM, 1), timeout_s=30)
    (letter,) = await deadletter.list_dead_letters(bus.js)
    assert deliveries == [1, 2, 3, 4, 5]  # three outages, then the two failures of the budget
    assert letter.reason.startswith("gave up after 2 failed deliveries: KeyError")


async def _messages(bus: Bus, stream: str) -> int:
    return int((await bus.js.stream_info(stream)).state.messages)


async def _has(bus: Bus, stream: str, n: int) -> bool:
    return await _messages(bus, stream) == n


async def test_without_skipping_an_unknown_event_type_is_a_dead_letter(bus: Bus) -> None:
    async def handle(event: Event, delivery: Delivery) -> None:
        raise AssertionError("never decoded")

    bus.subscribe(ConsumerSpec(durable=unique("strict"), filter_subjects=("task.>",)), handle)
    await bus.start()
    await bus.publish_raw(f"task.transmogrified.{uuid.uuid4()}", b"{}", {"Nats-Msg-Id": "new-type"})
    await eventually(lambda: _has(bus, DEAD_LETTER_STREAM, 1))
    (letter,) = await deadletter.list_dead_letters(bus.js)
    assert letter.reason.startswith("no event type for subject task.transmogrified.")
