"""A fetch's messages applied together: one call of the consumer's batch handler (one transaction
in the handler) for the first deliveries, then acks; anything else goes the one-by-one way.

The batch is a shortcut, never a second set of rules: a redelivery, an event type the consumer
does not know and an undecodable message take the single path (runtime.delivery decides their
ack, nak or dead letter), and when the batch handler raises, its transaction is gone and every
message of the batch is handled again one by one, each with its own answer. So the batch path
only ever acks messages whose effect committed, and a message that fails still fails alone.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial

from nats.aio.msg import Msg
from opentelemetry import propagate, trace

from contracts.envelope import Event
from contracts.streams import ConsumerSpec
from contracts.subjects import event_type_of
from runtime import metrics, periodic
from runtime.codec import decode, model_for
from runtime.delivery import ACK, Delivery, ack, handling_attributes

log = logging.getLogger(__name__)

Item = tuple[Event, Delivery]
BatchHandler = Callable[[list[Item]], Awaitable[None]]
Single = Callable[[Msg], Awaitable[None]]


@dataclass(frozen=True)
class Split:
    together: list[tuple[Msg, Item]]
    alone: list[Msg]


def delivery_of(spec: ConsumerSpec, msg: Msg) -> Delivery:
    meta = msg.metadata
    return Delivery(msg.subject, dict(msg.headers or {}), meta.num_delivered, meta.sequence.stream, spec.durable, msg)


def split(spec: ConsumerSpec, msgs: list[Msg]) -> Split:
    """First deliveries of known, decodable events go together; the rest alone."""
    together: list[tuple[Msg, Item]] = []
    alone: list[Msg] = []
    for msg in msgs:
        delivery = delivery_of(spec, msg)
        event = _event(msg) if delivery.num_delivered == 1 else None
        if event is None:
            alone.append(msg)
        else:
            together.append((msg, (event, delivery)))
    return Split(together, alone)


def _event(msg: Msg) -> Event | None:
    if model_for(msg.subject) is None:
        return None
    try:
        return decode(msg.subject, msg.data)
    except Exception:  # the single path says why, and dead-letters it
        return None


class Batches:
    """What runs one fetch of a batch consumer: `run(msgs)`."""

    def __init__(self, spec: ConsumerSpec, handler: BatchHandler, single: Single, ack_wait_s: Callable[[], float]):
        self.spec, self._handler, self._single, self._ack_wait_s = spec, handler, single, ack_wait_s
        self._tracer = trace.get_tracer(__name__)

    async def run(self, msgs: list[Msg]) -> None:
        parts = split(self.spec, msgs)
        if parts.together and not await self._together(parts.together):
            parts.alone[:0] = [msg for msg, _ in parts.together]
        for msg in parts.alone:
            await self._single(msg)

    async def _together(self, batch: list[tuple[Msg, Item]]) -> bool:
        """True when the batch committed and was acked; False: nothing of it applied."""
        items = [item for _, item in batch]
        spans = [self._span(event, delivery) for event, delivery in items]
        began = time.monotonic()
        try:
            # The handler's SQL spans join the first event's trace.
            beats = periodic.alongside(self._ack_wait_s() / 3, partial(_beat, [d for _, d in items]), "heartbeats")
            with trace.use_span(spans[0], end_on_exit=False):
                async with beats, asyncio.timeout(self.spec.max_run_s):
                    await self._handler(items)
        except asyncio.CancelledError:  # stopping past the grace period: another instance takes them
            for msg, _ in batch:
                with suppress(Exception):
                    await msg.nak()
            raise
        except Exception as exc:  # one by one, each message gets its own answer
            log.info("%s: a batch of %d failed (%s); one by one now", self.spec.durable, len(batch), _name(exc))
            return False
        finally:
            for span in spans:
                span.end()
        await ack_all([msg for msg, _ in batch])
        seconds = time.monotonic() - began
        for msg, _ in batch:
            metrics.handled(self.spec.durable, event_type_of(msg.subject), ACK, seconds)
        return True

    def _span(self, event: Event, delivery: Delivery) -> trace.Span:
        kind = event_type_of(delivery.subject)
        attributes = handling_attributes(self.spec.durable, delivery.subject, kind, delivery.num_delivered)
        attributes |= {"autoapply.task_id": str(event.task_id), "autoapply.event_id": str(event.event_id)}
        context = propagate.extract(delivery.headers)
        return self._tracer.start_span(
            f"handle {kind}", context=context, kind=trace.SpanKind.CONSUMER, attributes=attributes
        )


async def ack_all(msgs: list[Msg]) -> None:
    """A plain ack for each message but the last, and a confirmed ack for the last: one round trip
    a batch instead of one an event. The server reads one connection's messages in order, so the
    last one's confirmation says the others arrived before it. An ack lost anyway (the connection
    dropped midway) only brings its message back after the ack wait: as a redelivery it takes the
    single path, finds its inbox row and is acked with nothing applied twice."""
    *plain, last = msgs
    for msg in plain:
        try:
            await msg.ack()
        except Exception as exc:  # the commit is done; the redelivery is harmless
            log.warning("ack of %s not sent: %r", msg.subject, exc)
    await ack(last)


def _name(exc: BaseException) -> str:
    return type(exc).__name__  # not its text: it may quote the events' personal data


async def _beat(deliveries: list[Delivery]) -> None:
    await asyncio.gather(*(d.in_progress() for d in deliveries))
