"""Live updates: a WebSocket per task and per user, fed from the bus.

Every instance reads the whole event stream from "now" through an ordered consumer of its own
(so each instance serves its own sockets; no event needs to pass between instances) and hands
each event to the sockets that want it. A client that reconnects says where it stopped
(`?after=<cursor>`, the stream position of the last message it got) and is first sent what it
missed, read back from the stream, then the live events, without a gap or a repeat.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from uuid import UUID

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM
from contracts.subjects import EVENT_SUBJECTS
from runtime.bus import Bus, decode
from runtime.errors import PermanentError

log = logging.getLogger(__name__)

# A socket that falls this far behind is closed; its client reconnects with its cursor.
QUEUE_LIMIT = 1000
# Reading back history: a batch per round trip, and an ephemeral consumer that the server
# deletes soon after it is idle (also when this instance dies mid-replay).
REPLAY_BATCH = 256
REPLAY_IDLE_S = 30.0


@dataclass(eq=False)
class Listener:
    task_id: UUID | None  # one task's events, or
    user_id: UUID | None  # every event of one user's tasks
    queue: asyncio.Queue[tuple[int, Event]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    def wants(self, event: Event) -> bool:
        return event.task_id == self.task_id or event.user_id == self.user_id


class Feed:
    def __init__(self, bus: Callable[[], Bus]) -> None:
        self._bus = bus
        self._listeners: set[Listener] = set()

    async def run(self) -> None:
        config = ConsumerConfig(filter_subjects=list(EVENT_SUBJECTS), deliver_policy=DeliverPolicy.NEW)
        sub = await self._bus().js.subscribe(
            EVENT_SUBJECTS[0], stream=EVENTS_STREAM, config=config, ordered_consumer=True, cb=self._on_message
        )
        try:
            await asyncio.Event().wait()
        finally:
            await sub.unsubscribe()

    async def _on_message(self, msg: Msg) -> None:
        try:
            event = decode(msg.subject, msg.data)
        except PermanentError:
            return  # not an event of ours; the consumers that own it dead-letter it
        seq = msg.metadata.sequence.stream
        for listener in list(self._listeners):
            if listener.wants(event):
                try:
                    listener.queue.put_nowait((seq, event))
                except asyncio.QueueFull:
                    listener.overflowed = True

    async def position(self) -> int:
        """The stream's last position now: a socket that starts "now" replays from here."""
        info = await self._bus().js.stream_info(EVENTS_STREAM)
        return int(info.state.last_seq)

    def add(self, listener: Listener) -> None:
        self._listeners.add(listener)

    def remove(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    async def replay(
        self,
        subjects: list[str],
        after: int,
        wanted: Callable[[Event], bool],
        send: Callable[[int, Event], Awaitable[None]],
    ) -> int:
        """Sends the stream's events after `after` that `wanted` accepts; returns the last position read."""
        js = self._bus().js
        policy = DeliverPolicy.BY_START_SEQUENCE if after > 0 else DeliverPolicy.ALL
        config = ConsumerConfig(
            filter_subjects=subjects,
            deliver_policy=policy,
            opt_start_seq=after + 1 if after > 0 else None,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=REPLAY_IDLE_S,
            mem_storage=True,
        )
        sub = await js.pull_subscribe(subjects[0], stream=EVENTS_STREAM, config=config)
        last = after
        try:
            pending = (await sub.consumer_info()).num_pending or 0
            while pending > 0:
                for msg in await sub.fetch(min(pending, REPLAY_BATCH), timeout=5):
                    last = msg.metadata.sequence.stream
                    pending = msg.metadata.num_pending
                    try:
                        event = decode(msg.subject, msg.data)
                    except PermanentError:
                        continue
                    if wanted(event):
                        await send(last, event)
        finally:
            await sub.unsubscribe()
        return last
