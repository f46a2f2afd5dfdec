"""What happens to one delivered message: exactly one of ack (after the handler's commit), nak
with a delay, or, once its dead letter is stored, terminate with a reason."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.streams import ConsumerSpec
from contracts.subjects import event_type_of
from runtime import metrics, streams
from runtime.codec import one_line
from runtime.deadletter import publish_dead_letter, reason_text
from runtime.errors import PermanentError, TransientError
from runtime.outage import OUTAGE_NAK_DELAY_S, is_outage, note_outage, outages_of

log = logging.getLogger(__name__)

# What the server was told, as counted in runtime.metrics.
ACK, NAK, TERM = "ack", "nak", "term"
# How long to wait for the server to confirm an ack; a lost ack means one harmless redelivery.
ACK_TIMEOUT_S = 2.0


@dataclass
class Delivery:
    """What a handler knows about the message besides the event."""

    subject: str
    headers: dict[str, str]
    num_delivered: int
    stream_seq: int
    consumer: str
    _msg: Msg = field(repr=False)

    async def in_progress(self) -> None:
        """Tells the server the step is still running, so it does not redeliver meanwhile."""
        with suppress(Exception):
            await self._msg.in_progress()


Run = Callable[[Msg, Delivery], Awaitable[None]]


def nak_delay(spec: ConsumerSpec, failures: int, asked: float | None) -> float:
    if asked is not None:
        return asked
    if not spec.backoff_s:
        return 1.0
    return spec.backoff_s[min(max(failures, 1), len(spec.backoff_s)) - 1]


async def terminate(msg: Msg, reason: str) -> None:
    """Stops redelivery; the dead letter is already stored."""
    await msg._client.publish(msg.reply, b"+TERM " + one_line(reason).encode())
    msg._ackd = True


async def settle(js: JetStreamContext, spec: ConsumerSpec, run: Run, msg: Msg, delivery: Delivery) -> None:
    """Runs the handler, answers the server, and counts the answer (runtime.metrics)."""
    began = time.monotonic()
    outcome = await _settle(js, spec, run, msg, delivery)
    metrics.handled(spec.durable, event_type_of(msg.subject), outcome, time.monotonic() - began)


async def _settle(js: JetStreamContext, spec: ConsumerSpec, run: Run, msg: Msg, delivery: Delivery) -> str:
    """Runs the handler for at most spec.max_run_s, then answers the server by what happened."""
    if await _spent(js, spec, delivery):  # earlier deliveries died or hung without an answer
        reason = f"gave up: {delivery.num_delivered - 1} deliveries ended without an answer"
        return await _dead_letter(js, spec, msg, reason)
    timer = asyncio.timeout(spec.max_run_s)
    try:
        async with timer:
            await run(msg, delivery)
    except PermanentError as exc:
        log.warning("%s: terminating %s: %s", spec.durable, msg.subject, reason_text(exc.reason))
        return await _dead_letter(js, spec, msg, exc.reason)
    except Exception as exc:
        if timer.expired():
            return await _failed(js, spec, msg, delivery, f"still running after max_run_s={spec.max_run_s}", None)
        if is_outage(exc):
            await _outage(js, spec, msg, delivery, exc)
            return NAK
        return await _failed(js, spec, msg, delivery, repr(exc), exc)
    await ack(msg)
    return ACK


async def _spent(js: JetStreamContext, spec: ConsumerSpec, delivery: Delivery) -> bool:
    if delivery.num_delivered <= spec.max_deliver:
        return False
    return await _failures(js, spec, delivery) > spec.max_deliver


async def _failures(js: JetStreamContext, spec: ConsumerSpec, delivery: Delivery) -> int:
    """Deliveries so far, this one included, that did not end in an outage nak."""
    if delivery.num_delivered == 1:
        return 1
    return delivery.num_delivered - await outages_of(js, spec.durable, delivery.stream_seq)


async def _outage(js: JetStreamContext, spec: ConsumerSpec, msg: Msg, delivery: Delivery, exc: Exception) -> None:
    log.warning("%s: a dependency is down (%s); %s retried later", spec.durable, type(exc).__name__, msg.subject)
    await note_outage(js, spec.durable, delivery.stream_seq, delivery.num_delivered)
    asked = exc.delay_s if isinstance(exc, TransientError) else None
    await msg.nak(delay=OUTAGE_NAK_DELAY_S if asked is None else asked)


async def _failed(
    js: JetStreamContext, spec: ConsumerSpec, msg: Msg, delivery: Delivery, error: str, exc: Exception | None
) -> str:
    failures = await _failures(js, spec, delivery)
    if failures >= spec.max_deliver or delivery.num_delivered >= streams.server_max_deliver(spec):
        reason = f"gave up after {failures} failed deliveries: {error}"
        log.error("%s: %s on %s", spec.durable, reason_text(reason), msg.subject)
        return await _dead_letter(js, spec, msg, reason)
    if exc is not None and not isinstance(exc, TransientError):
        log.exception("%s: unexpected error on %s, will retry", spec.durable, msg.subject)
    asked = exc.delay_s if isinstance(exc, TransientError) else None
    await msg.nak(delay=nak_delay(spec, failures, asked))
    return NAK


async def _dead_letter(js: JetStreamContext, spec: ConsumerSpec, msg: Msg, reason: str) -> str:
    """Stores the dead letter, then terminates; if it cannot be stored, naks to try again later."""
    try:
        await publish_dead_letter(js, msg, spec.durable, reason)
    except Exception as exc:
        log.warning("%s: dead letter of %s not stored (%r); naked instead", spec.durable, msg.subject, exc)
        await msg.nak(delay=OUTAGE_NAK_DELAY_S)
        return NAK
    await terminate(msg, reason_text(reason))
    return TERM


async def ack(msg: Msg) -> None:
    try:
        await msg.ack_sync(timeout=ACK_TIMEOUT_S)
    except Exception as exc:  # the commit is done; a lost ack only causes a skipped redelivery
        log.warning("ack of %s not confirmed: %r", msg.subject, exc)


def handling_attributes(consumer: str, subject: str, event_type: str, delivered: int) -> dict[str, str | int]:
    """What every handling span says: by these a trace explorer finds a consumer's or a task's work."""
    return {
        "autoapply.consumer": consumer,
        "autoapply.event_type": event_type,
        "messaging.system": "nats",
        "messaging.destination.name": subject,
        "messaging.consumer.group.name": consumer,
        "messaging.nats.delivered": delivered,
    }
