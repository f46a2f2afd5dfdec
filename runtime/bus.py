"""The event bus: nats-py pull consumers fetched by the bus itself, FastStream for the connection,
publishing and its telemetry, and explicit acks decided by the error's type.

Every message ends in exactly one of: ack (after the handler's commit); nak with a delay (a
dependency is down, which never counts toward the dead letters; a transient or unexpected
error; a handler past its max_run_s); or, after the dead letter is stored, terminate with a
reason (a permanent error, an undecodable message, or the last allowed failure).
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import partial

import nats.errors
from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider

from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM, ConsumerSpec
from contracts.subjects import event_type_of
from runtime import periodic, streams
from runtime.codec import EVENT_TYPE_HEADER, MAX_REASON_CHARS, decode, encode, model_for
from runtime.consumer import FETCH_TIMEOUT_S, PullConsumer
from runtime.delivery import Delivery, Run, settle
from runtime.errors import DependencyDown

__all__ = ["EVENT_TYPE_HEADER", "FETCH_TIMEOUT_S", "MAX_REASON_CHARS", "Bus", "Delivery", "decode", "encode"]

log = logging.getLogger(__name__)

# Publishes are retried with the same Nats-Msg-Id for longer than a cluster failover takes
# (about 10 s measured), and far inside the stream's duplicate window.
PUBLISH_RETRY_HORIZON_S = 30.0
PUBLISH_TIMEOUT_S = 2.0
# The client pings this often and gives the connection up after this many unanswered pings, so
# a half-open connection is found in seconds, not the library's default minutes.
PING_INTERVAL_S = 5
MAX_OUTSTANDING_PINGS = 2
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


Handler = Callable[[Event, Delivery], Awaitable[None]]
RawHandler = Callable[[Msg], Awaitable[None]]


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
            ping_interval=PING_INTERVAL_S,
            max_outstanding_pings=MAX_OUTSTANDING_PINGS,
            middlewares=(NatsTelemetryMiddleware(tracer_provider=provider),),
            logger=logging.getLogger(f"bus.{name}"),
        )
        self._tracer = provider.get_tracer(__name__)
        self._consumers: list[PullConsumer] = []
        self._ack_wait: dict[str, float] = {}
        self._connected = False
        # Event types a wildcard consumer acked without knowing them, by type.
        self.unknown_types: Counter[str] = Counter()

    @property
    def js(self) -> JetStreamContext:
        js = self.broker.config.connection_state.stream
        assert isinstance(js, JetStreamContext)
        return js

    @property
    def connected(self) -> bool:
        conn = self.broker._connection
        return bool(conn is not None and conn.is_connected)

    def ack_wait_s(self, durable: str) -> float:
        """The server's ack wait for this consumer, as read back after declaring it."""
        return self._ack_wait[durable]

    async def connect(self) -> None:
        if not self._connected:
            await self.broker.connect()
            self._connected = True
        await streams.declare_streams(self.js, self.replicas)

    def subscribe(self, spec: ConsumerSpec, handler: Handler, workers: int = 1) -> None:
        """Registers an event handler on a durable pull consumer; call before start()."""

        async def run(msg: Msg, delivery: Delivery) -> None:
            if spec.skip_unknown_types and model_for(msg.subject) is None:
                self._skip_unknown(spec, msg.subject)
                return
            context = propagate.extract(delivery.headers)
            kind = event_type_of(msg.subject)
            attributes = handling_attributes(spec.durable, msg.subject, kind, delivery.num_delivered)
            with self._tracer.start_as_current_span(
                f"handle {kind}", context=context, kind=trace.SpanKind.CONSUMER, attributes=attributes
            ) as span:
                event = decode(msg.subject, msg.data)
                span.set_attribute("autoapply.task_id", str(event.task_id))
                span.set_attribute("autoapply.event_id", str(event.event_id))
                await handler(event, delivery)

        self._register(spec, EVENTS_STREAM, run, workers)

    def subscribe_raw(self, spec: ConsumerSpec, stream: str, handler: RawHandler) -> None:
        """A handler of plain messages (advisories), with the same ack rules."""

        async def run(msg: Msg, delivery: Delivery) -> None:
            await handler(msg)

        self._register(spec, stream, run, 1)

    def _register(self, spec: ConsumerSpec, stream: str, run: Run, workers: int) -> None:
        self._consumers.append(PullConsumer(spec, stream, partial(self._process, spec, run), workers))

    def _skip_unknown(self, spec: ConsumerSpec, subject: str) -> None:
        kind = event_type_of(subject)
        if not self.unknown_types[kind]:
            log.warning("%s: acking events of an unknown type %s (a newer producer?)", spec.durable, kind)
        self.unknown_types[kind] += 1

    async def start(self) -> None:
        await self.connect()
        for consumer in self._consumers:
            info = await streams.declare_consumer(self.js, consumer.spec, consumer.stream, self.replicas)
            self._ack_wait[consumer.spec.durable] = float(info.config.ack_wait or consumer.spec.ack_wait_s)
        for consumer in self._consumers:
            await consumer.start(self.js)

    def pause(self, paused: bool) -> None:
        """Stops (or resumes) fetching on every consumer; running handlers go on."""
        for consumer in self._consumers:
            consumer.pause(paused)

    async def depths(self) -> list[tuple[str, int, int]]:
        """(durable, pending, ack pending) of each consumer, from the server."""
        found = []
        for consumer in self._consumers:
            info = await self.js.consumer_info(consumer.stream, consumer.spec.durable)
            found.append((consumer.spec.durable, info.num_pending or 0, info.num_ack_pending or 0))
        return found

    def stalled(self) -> list[str]:
        """The consumers whose fetch loop stopped making progress."""
        return [c.spec.durable for c in self._consumers if c.stalled()]

    async def close(self, grace_s: float = 0.0) -> None:
        """Stops fetching, lets running handlers finish within grace_s, naks the rest, disconnects."""
        await asyncio.gather(*(c.stop(grace_s) for c in self._consumers), return_exceptions=True)
        conn = self.broker._connection
        with suppress(Exception):
            if conn is not None and conn.is_connected:
                await conn.flush(timeout=2)  # the last acks and naks reach the server
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
                    payload, subject, headers=dict(headers), stream=stream, timeout=PUBLISH_TIMEOUT_S
                )
                assert isinstance(ack, PubAck)
                return ack
            except _RETRYABLE_PUBLISH as exc:
                if loop.time() + pause > deadline:
                    raise DependencyDown(f"publish to {subject} failed: {exc!r}") from exc
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)

    async def _process(self, spec: ConsumerSpec, run: Run, msg: Msg) -> None:
        meta = msg.metadata
        delivery = Delivery(
            subject=msg.subject,
            headers=dict(msg.headers or {}),
            num_delivered=meta.num_delivered,
            stream_seq=meta.sequence.stream,
            consumer=spec.durable,
            _msg=msg,
        )
        every_s = self._ack_wait.get(spec.durable, spec.ack_wait_s) / 3
        try:
            async with periodic.alongside(every_s, delivery.in_progress, name=f"heartbeat of {spec.durable}"):
                await settle(self.js, spec, run, msg, delivery)
        except asyncio.CancelledError:  # stopping past the grace period: another instance takes it
            with suppress(Exception):
                await msg.nak()
            raise
        except Exception as exc:  # the answer itself failed (NATS gone): the ack wait redelivers it
            log.warning("%s: could not settle %s: %r", spec.durable, msg.subject, exc)


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
