"""The event bus: FastStream on nats-py, with explicit acks decided by the error's type.

Every handler ends in exactly one of: ack (after its commit), nak with a delay (transient or
unexpected error), or terminate with a reason (permanent error, invalid event, or the last
allowed delivery failed); terminated messages reach the dead letters through the server's
advisories (runtime.deadletter).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field

import nats.errors
from faststream.middlewares import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from contracts.envelope import Event
from contracts.registry import EVENT_TYPES
from contracts.streams import EVENTS_STREAM, ConsumerSpec
from contracts.subjects import event_type_of, subject_for
from runtime import streams
from runtime.errors import PermanentError, TransientError
from runtime.scrub import scrub_text

log = logging.getLogger(__name__)

# Publishes are retried with the same Nats-Msg-Id for longer than a cluster failover takes
# (about 10 s measured), and far inside the stream's duplicate window.
PUBLISH_RETRY_HORIZON_S = 30.0
PUBLISH_TIMEOUT_S = 2.0
# How long to wait for the server to confirm an ack; a lost ack means one harmless redelivery.
ACK_TIMEOUT_S = 2.0
# A pull waits this long for messages before asking again.
FETCH_TIMEOUT_S = 1.0
# The server keeps a reason up to this length with a terminated message.
MAX_REASON_CHARS = 300
EVENT_TYPE_HEADER = "Autoapply-Event-Type"
_RETRYABLE_PUBLISH = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    NoStreamResponseError,
    ServiceUnavailableError,
    asyncio.TimeoutError,
    OSError,
)


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


Handler = Callable[[Event, Delivery], Awaitable[None]]
RawHandler = Callable[[Msg], Awaitable[None]]


def encode(event: Event) -> tuple[str, bytes, dict[str, str]]:
    headers = {"Nats-Msg-Id": str(event.event_id), EVENT_TYPE_HEADER: event.TYPE}
    return subject_for(event), event.model_dump_json().encode(), headers


def decode(subject: str, data: bytes) -> Event:
    model = EVENT_TYPES.get(event_type_of(subject))
    if model is None:
        raise PermanentError(f"no event type for subject {subject}")
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        # Field names and rules only: the values may be personal data, and reasons reach the logs.
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'payload'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False, include_context=False)
        )
        raise PermanentError(_one_line(f"invalid {model.TYPE} event: {problems}")) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:MAX_REASON_CHARS]


def nak_delay(spec: ConsumerSpec, num_delivered: int, asked: float | None) -> float:
    if asked is not None:
        return asked
    if not spec.backoff_s:
        return 1.0
    return spec.backoff_s[min(num_delivered, len(spec.backoff_s)) - 1]


async def terminate(msg: Msg, reason: str) -> None:
    """Stops redelivery; the server's MSG_TERMINATED advisory carries the reason to the dead letters."""
    await msg._client.publish(msg.reply, b"+TERM " + _one_line(scrub_text(reason)).encode())
    msg._ackd = True


class Bus:
    def __init__(
        self, servers: list[str], name: str, tracer_provider: TracerProvider | None = None, replicas: int = 1
    ) -> None:
        provider = tracer_provider or trace.get_tracer_provider()
        self.replicas = replicas
        self.broker = NatsBroker(
            servers,
            name=name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,  # seconds between reconnect attempts
            middlewares=(NatsTelemetryMiddleware(tracer_provider=provider),),
            logger=logging.getLogger(f"bus.{name}"),
        )
        self._tracer = provider.get_tracer(__name__)
        self._specs: list[tuple[ConsumerSpec, str]] = []

    @property
    def js(self) -> JetStreamContext:
        js = self.broker.config.connection_state.stream
        assert isinstance(js, JetStreamContext)
        return js

    @property
    def connected(self) -> bool:
        conn = self.broker._connection
        return bool(conn is not None and conn.is_connected)

    async def connect(self) -> None:
        await self.broker.connect()
        await streams.declare_streams(self.js, self.replicas)

    def subscribe(self, spec: ConsumerSpec, handler: Handler, workers: int = 1) -> None:
        """Registers an event handler on a durable pull consumer; call before start()."""

        async def run(msg: Msg, delivery: Delivery) -> None:
            event = decode(msg.subject, msg.data)
            with self._tracer.start_as_current_span(f"handle {event.TYPE}") as span:
                span.set_attribute("autoapply.consumer", spec.durable)
                span.set_attribute("autoapply.task_id", str(event.task_id))
                await handler(event, delivery)

        self._register(spec, EVENTS_STREAM, run, workers)

    def subscribe_raw(self, spec: ConsumerSpec, stream: str, handler: RawHandler) -> None:
        """A handler of plain messages (advisories), with the same ack rules."""

        async def run(msg: Msg, delivery: Delivery) -> None:
            await handler(msg)

        self._register(spec, stream, run, 1)

    def _register(
        self, spec: ConsumerSpec, stream_name: str, run: Callable[[Msg, Delivery], Awaitable[None]], workers: int
    ) -> None:
        self._specs.append((spec, stream_name))
        stream = JStream(stream_name, declare=False)
        pull = PullSub(batch_size=max(1, workers), timeout=FETCH_TIMEOUT_S)
        decorate = self.broker.subscriber(
            spec.filter_subjects[0],
            stream=stream,
            durable=spec.durable,
            pull_sub=pull,
            ack_policy=AckPolicy.MANUAL,
            max_workers=workers,
        )

        async def on_message(message: NatsMessage) -> None:
            await self._dispatch(spec, run, message.raw_message)

        decorate(on_message)

    async def start(self) -> None:
        await self.connect()
        for spec, stream in self._specs:
            await streams.declare_consumer(self.js, spec, stream, self.replicas)
        await self.broker.start()

    async def close(self) -> None:
        with suppress(Exception):
            await self.broker.stop()

    async def publish(self, event: Event, headers: dict[str, str] | None = None) -> PubAck:
        subject, payload, own = encode(event)
        return await self.publish_raw(subject, payload, {**(headers or {}), **own})

    async def publish_raw(
        self, subject: str, payload: bytes, headers: dict[str, str], stream: str = EVENTS_STREAM
    ) -> PubAck:
        """Publishes and waits for the stream's ack, retrying with the same Nats-Msg-Id."""
        if not headers.get("Nats-Msg-Id"):
            raise ValueError(f"publish to {subject} without a Nats-Msg-Id: a retry could store it twice")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PUBLISH_RETRY_HORIZON_S
        pause = 0.1
        while True:
            try:
                ack = await self.broker.publish(
                    payload,
                    subject,
                    headers=dict(headers),
                    stream=stream,
                    timeout=PUBLISH_TIMEOUT_S,
                )
                assert isinstance(ack, PubAck)
                return ack
            except _RETRYABLE_PUBLISH as exc:
                if loop.time() + pause > deadline:
                    raise TransientError(f"publish to {subject} failed: {exc!r}") from exc
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)

    async def _dispatch(self, spec: ConsumerSpec, run: Callable[[Msg, Delivery], Awaitable[None]], msg: Msg) -> None:
        meta = msg.metadata
        delivery = Delivery(
            subject=msg.subject,
            headers=dict(msg.headers or {}),
            num_delivered=meta.num_delivered,
            stream_seq=meta.sequence.stream,
            consumer=spec.durable,
            _msg=msg,
        )
        beat = asyncio.create_task(_heartbeat(delivery, spec.ack_wait_s / 3))
        try:
            await self._run(spec, run, msg, delivery)
        finally:
            beat.cancel()

    async def _run(
        self, spec: ConsumerSpec, run: Callable[[Msg, Delivery], Awaitable[None]], msg: Msg, delivery: Delivery
    ) -> None:
        last_try = delivery.num_delivered >= spec.max_deliver
        try:
            await run(msg, delivery)
        except PermanentError as exc:
            log.warning("%s: terminating %s: %s", spec.durable, msg.subject, exc.reason)
            await terminate(msg, exc.reason)
        except Exception as exc:  # transient, or unexpected: retried, bounded by max_deliver
            await self._retry_or_give_up(spec, msg, delivery, exc, last_try)
        else:
            await _ack(msg)

    async def _retry_or_give_up(
        self, spec: ConsumerSpec, msg: Msg, delivery: Delivery, exc: Exception, last_try: bool
    ) -> None:
        if last_try:
            reason = f"gave up after {delivery.num_delivered} deliveries: {exc!r}"
            log.error("%s: %s on %s", spec.durable, reason, msg.subject)
            await terminate(msg, reason)
            return
        asked = exc.delay_s if isinstance(exc, TransientError) else None
        if not isinstance(exc, TransientError):
            log.exception("%s: unexpected error on %s, will retry", spec.durable, msg.subject)
        await msg.nak(delay=nak_delay(spec, delivery.num_delivered, asked))


async def _ack(msg: Msg) -> None:
    try:
        await msg.ack_sync(timeout=ACK_TIMEOUT_S)
    except Exception as exc:  # the commit is done; a lost ack only causes a skipped redelivery
        log.warning("ack of %s not confirmed: %r", msg.subject, exc)


async def _heartbeat(delivery: Delivery, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        await delivery.in_progress()
