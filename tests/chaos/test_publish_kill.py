"""nats-server SIGKILLed while publishes are in flight, then restarted on its store: every publish
the bus returned from is stored exactly once, and deduplication is seen doing it. A proxy holds
back the server's replies just before the kill, so the publishes in flight then were stored and
never acknowledged; the bus retries them with the same Nats-Msg-Id and the server answers
`duplicate` instead of storing them again."""

import asyncio
import uuid
from collections import Counter

import pytest
from nats.js.api import PubAck

from autoapply.local.nats import NatsServer
from contracts.streams import EVENTS_STREAM
from runtime.bus import Bus
from tests.chaos.proxy import ReplyHoldingProxy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.chaos

# Publishers running at once, each publishing one event after another: one each is in flight at the kill.
PUBLISHERS = 32
PER_PUBLISHER = 20
HOLD_AFTER_ACKS = 200


async def test_publishes_in_flight_at_a_kill_are_stored_once_and_deduplicated(nats: NatsServer) -> None:
    proxy = ReplyHoldingProxy(nats.port)
    await proxy.start()
    bus = Bus([proxy.url], unique("publisher"))
    await bus.connect()
    acks: list[tuple[uuid.UUID, PubAck]] = []
    in_flight: set[uuid.UUID] = set()

    async def publisher() -> None:
        for _ in range(PER_PUBLISHER):
            event = queued_event()
            in_flight.add(event.event_id)
            acks.append((event.event_id, await bus.publish(event)))
            in_flight.discard(event.event_id)

    publishers = asyncio.gather(*(publisher() for _ in range(PUBLISHERS)))
    try:
        await eventually(lambda: len(acks) >= HOLD_AFTER_ACKS, timeout_s=30, every_s=0.001)
        proxy.hold()
        stored_before_kill = await _stored_after_a_while(nats)
        unacked_at_kill = set(in_flight)
        nats.kill()
        await proxy.pause()
        await asyncio.sleep(0.5)
        await asyncio.to_thread(nats.start)
        await proxy.start()
        await asyncio.wait_for(publishers, 60)
        stored = await _stored_ids(bus)
    finally:
        publishers.cancel()
        await bus.close()
        await proxy.close()
    acked = {event_id for event_id, _ in acks}
    assert len(acked) == PUBLISHERS * PER_PUBLISHER
    assert Counter(stored).most_common(1)[0][1] == 1  # nothing stored twice
    assert set(stored) == acked  # nothing acknowledged lost
    duplicates = {event_id for event_id, ack in acks if ack.duplicate}
    assert proxy.held_bytes > 0 and len(unacked_at_kill) == PUBLISHERS
    # Every publish in flight that the server had stored was retried and recognised, not stored again.
    stored_unacked = unacked_at_kill & set(stored[:stored_before_kill])
    assert stored_unacked and duplicates == stored_unacked


async def _stored_after_a_while(nats: NatsServer) -> int:
    """How many messages the stream holds once the publishes sent before the hold have landed."""
    own = Bus([nats.url], unique("observer"))
    await own.connect()
    try:
        await asyncio.sleep(0.5)
        return (await own.js.stream_info(EVENTS_STREAM)).state.messages
    finally:
        await own.close()


async def _stored_ids(bus: Bus) -> list[uuid.UUID]:
    info = await bus.js.stream_info(EVENTS_STREAM)
    msgs = [await bus.js.get_msg(EVENTS_STREAM, seq) for seq in range(1, info.state.last_seq + 1)]
    return [uuid.UUID((m.headers or {})["Nats-Msg-Id"]) for m in msgs]
