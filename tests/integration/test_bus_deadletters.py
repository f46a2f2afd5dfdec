"""No dead letter is lost: the bus stores it before terminating, naks when it cannot, and a dead
letter replays even after its original has left the events stream."""

import asyncio
import json

import pytest

from contracts.envelope import Event
from contracts.streams import DEAD_LETTER_STREAM, EVENTS_STREAM
from runtime import deadletter, streams
from runtime.bus import Bus, Delivery
from runtime.errors import PermanentError
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


async def _letters(bus: Bus) -> list[deadletter.DeadLetter]:
    return await deadletter.list_dead_letters(bus.js)


async def test_the_bus_stores_the_dead_letter_itself_before_terminating(bus: Bus) -> None:
    async def refuse(event: Event, delivery: Delivery) -> None:
        raise PermanentError("login required: the site asks for an account")

    spec = queued_spec()
    bus.subscribe(spec, refuse)  # no advisory relay: the bus alone must keep the dead letter
    await bus.start()
    event = queued_event()
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    await bus.publish(event, {"traceparent": trace})
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1))
    (letter,) = await _letters(bus)
    assert letter.consumer == spec.durable and letter.subject.startswith("task.queued.normal.")
    assert letter.reason == "login required: the site asks for an account"
    assert letter.deliveries == "1" and letter.original_msg_id == str(event.event_id)
    assert letter.payload == event.model_dump_json().encode()
    assert letter.headers["traceparent"] == trace
    info = await bus.js.consumer_info(EVENTS_STREAM, spec.durable)
    assert info.num_ack_pending == 0 and info.num_redelivered == 0  # terminated, not redelivered


async def test_a_dead_letter_that_cannot_be_stored_is_naked_and_stored_later(bus: Bus) -> None:
    calls: list[int] = []

    async def refuse(event: Event, delivery: Delivery) -> None:
        calls.append(delivery.num_delivered)
        raise PermanentError("job closed")

    bus.subscribe(queued_spec(), refuse)
    await bus.start()
    await bus.js.delete_stream(DEAD_LETTER_STREAM)  # the dead-letter stream is gone for a while
    await bus.publish(queued_event())
    await eventually(lambda: calls == [1])
    await asyncio.sleep(0.5)
    await bus.connect()  # declares the streams again
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1), timeout_s=15)
    assert calls == [1, 2]  # the first delivery was naked, not terminated and lost
    (letter,) = await _letters(bus)
    assert letter.reason == "job closed" and letter.deliveries == "2"


async def test_a_dead_letter_replays_after_its_original_left_the_events_stream(bus: Bus) -> None:
    outcomes: list[str] = []
    fixed = asyncio.Event()

    async def handle(event: Event, delivery: Delivery) -> None:
        if not fixed.is_set():
            outcomes.append("refused")
            raise PermanentError("the answer bank had no entry")
        outcomes.append(event.job_key)  # type: ignore[attr-defined]

    bus.subscribe(queued_spec(), handle)
    await bus.start()
    await bus.publish(queued_event(job_key="replayed"))
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1))
    await bus.js.purge_stream(EVENTS_STREAM)  # max_age, or an operator's purge
    (letter,) = await _letters(bus)
    fixed.set()
    assert (await deadletter.replay(bus.js, letter.seq)).startswith("task.queued.")
    await eventually(lambda: outcomes == ["refused", "replayed"])
    assert await _letters(bus) == []


async def test_deliveries_that_died_without_an_answer_end_in_the_dead_letters(bus: Bus) -> None:
    spec = queued_spec(ack_wait_s=1.0, max_deliver=2)
    ran: list[int] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        ran.append(delivery.num_delivered)

    bus.subscribe(spec, handle)
    await bus.js.add_consumer(EVENTS_STREAM, streams.consumer_config(spec, 1))
    dying = await bus.js.pull_subscribe_bind(durable=spec.durable, stream=EVENTS_STREAM)
    await bus.publish(queued_event())
    for n in (1, 2):  # an instance that takes the message and dies, twice
        (msg,) = await dying.fetch(1, timeout=5)
        assert msg.metadata.num_delivered == n
    await dying.unsubscribe()
    await bus.start()
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1), timeout_s=10)
    (letter,) = await _letters(bus)
    assert ran == [] and letter.deliveries == "3"
    assert "2 deliveries ended without an answer" in letter.reason


async def test_many_instances_copying_one_dead_letter_store_it_once(bus: Bus) -> None:
    spec = queued_spec()

    async def refuse(event: Event, delivery: Delivery) -> None:
        raise PermanentError("account restricted")

    bus.subscribe(spec, refuse)
    relay = deadletter.relay_spec(unique("svc"), [spec.durable])
    assert all(".MAX_DELIVERIES." in s for s in relay.filter_subjects)  # terminated ones need no copy
    await bus.start()
    await bus.publish(queued_event())
    await eventually(lambda: _count(bus, DEAD_LETTER_STREAM, 1))
    advisory = {"stream_seq": 1, "consumer": spec.durable, "deliveries": 1}  # the test's own server: seq 1
    again = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{EVENTS_STREAM}.{spec.durable}"
    await deadletter.copy_to_dead_letters(bus.js, again, json.dumps(advisory).encode())
    assert len(await _letters(bus)) == 1  # same consumer and sequence: the same Nats-Msg-Id


async def _count(bus: Bus, stream: str, n: int) -> bool:
    return (await bus.js.stream_info(stream)).state.messages == n
