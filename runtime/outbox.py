"""The transactional outbox: an event is written with the state change that causes it and
published afterwards by a relay, with Nats-Msg-Id = event_id, until the stream acks it.

Order: rows are published by `seq`, by one relay per schema at a time (a session advisory lock on
the relay's own connection; the other instances stand by and take over when it goes). Writers of
one task are serialised from their enqueue to their commit, so a task's `seq` order is its commit
order. Rows go out in waves: the rows of a wave are published together and their acks awaited
together (one ack wait per wave, not per row), and a wave never holds two rows of one task, so
a task's events reach the stream in its order even when a publish fails and is retried. A crash
between the stream's ack and marking the row sent re-publishes the same id; the stream's
duplicate window stores it once. A row the stream can never take is parked, with its reason, and
the rows behind it go on.
"""

import asyncio
import json
import logging
from contextlib import suppress

import asyncpg
import nats.errors
from nats.js.api import PubAck
from nats.js.client import JetStreamContext
from nats.js.errors import BadRequestError
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import SpanKind, Status, StatusCode

from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM
from runtime import telemetry
from runtime.bus import PUBLISH_TIMEOUT_S, Bus, encode
from runtime.db import advisory_key
from runtime.scrub import scrub_text

log = logging.getLogger(__name__)

# Rows read per query; published in waves and marked per wave, with no transaction held open.
BATCH_SIZE = 100
# Without a notification (one was missed, or this relay stands by), look anyway.
POLL_INTERVAL_S = 1.0
# After a failed round (database or bus away, anything unexpected) the next starts this much later.
RETRY_S = 1.0
# last_error is for people reading a row, not a log.
MAX_ERROR_CHARS = 300
# Publish errors no retry can fix: the row is parked so it does not block the rows behind it.
UNPUBLISHABLE = (
    nats.errors.MaxPayloadError,
    nats.errors.BadSubjectError,
    nats.errors.BadHeaderError,
    BadRequestError,  # the stream refused the message itself (e.g. larger than its max_msg_size)
    ValueError,  # the row is not a message (headers not an object, no Nats-Msg-Id)
    TypeError,
)

# A row's publish: the future of its ack, or why it could not go out.
Sent = asyncio.Future[PubAck] | BaseException

_PENDING = (
    "SELECT id, seq, subject, payload, headers FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL "
    "ORDER BY seq LIMIT $1"
)


def channel(schema: str) -> str:
    return f"{schema}_outbox"


def relay_lock_key(schema: str) -> int:
    return advisory_key(f"outbox relay {schema}")


async def enqueue(conn: asyncpg.Connection, schema: str, event: Event) -> None:
    """Adds the event to the outbox inside the caller's transaction (published after commit)."""
    subject, payload, headers = encode(event)
    telemetry.inject(headers)
    # Held to commit: a later writer of the same task gets a later seq and commits after this one.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"outbox {event.task_id}")
    await conn.execute(
        "INSERT INTO outbox (id, subject, payload, headers) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (id) DO NOTHING",
        event.event_id,
        subject,
        payload,
        json.dumps(headers),
    )
    await conn.execute("SELECT pg_notify($1, '')", channel(schema))


def _task_key(subject: str) -> str:
    """Every event subject ends with its task's id (contracts.subjects)."""
    return subject.rsplit(".", 1)[-1]


def waves(rows: list[asyncpg.Record]) -> list[list[asyncpg.Record]]:
    """The rows in order, cut wherever a row's task already has a row in the current wave."""
    found: list[list[asyncpg.Record]] = []
    tasks: set[str] = set()
    for row in rows:
        key = _task_key(row["subject"])
        if not found or key in tasks:
            found.append([])
            tasks = set()
        found[-1].append(row)
        tasks.add(key)
    return found


def describe(exc: BaseException) -> str:
    return scrub_text(f"{type(exc).__name__}: {exc}")[:MAX_ERROR_CHARS]


def _headers(raw: str) -> dict[str, str]:
    headers = json.loads(raw)
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError("headers are not an object of strings")
    return headers


def _usable(conn: asyncpg.Connection) -> bool:
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:  # the pool took back a connection whose server went away
        return False


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, bus: Bus, schema: str, poll_interval_s: float = POLL_INTERVAL_S) -> None:
        self._pool, self._bus, self._schema = pool, bus, schema
        self._poll_s = poll_interval_s
        self._wake = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._tracer = trace.get_tracer(__name__)
        self.owner = False
        self.published = 0
        self.parked = 0
        self.listens = 0  # connections on which LISTEN was set up: more than one means it re-listened

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self.drain()
                except Exception as exc:  # whatever broke this round, the next one starts afresh
                    log.warning("outbox %s: round failed, retrying: %s", self._schema, describe(exc))
                    await asyncio.sleep(RETRY_S)
                    continue
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)
        finally:
            await self.close()

    async def close(self) -> None:
        """Gives back the relay's connection, and with it the schema's relay lock."""
        conn, self._conn, self.owner = self._conn, None, False
        if conn is None:
            return
        with suppress(Exception):  # a closed connection has no listener left to remove
            conn.remove_termination_listener(self._on_event)
            await asyncio.wait_for(conn.remove_listener(channel(self._schema), self._on_event), RETRY_S)
        with suppress(Exception):
            await asyncio.wait_for(self._pool.release(conn), RETRY_S * 5)

    async def drain(self) -> int:
        """Publishes every pending row if this relay holds the schema's lock; returns how many."""
        self._wake.clear()  # before reading, so a row committed meanwhile wakes the next round
        conn = await self._connection()
        if not self.owner:
            with suppress_instrumentation():  # polled every second: no trace of its own
                self.owner = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", relay_lock_key(self._schema)))
            if not self.owner:
                return 0
        total = 0
        while True:
            with suppress_instrumentation():
                rows = await conn.fetch(_PENDING, BATCH_SIZE)
            for wave in waves(list(rows)):
                total += await self._send(conn, wave)
            if len(rows) < BATCH_SIZE:
                return total

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is not None and _usable(self._conn):
            return self._conn
        await self.close()
        conn = await self._pool.acquire()
        try:
            conn.add_termination_listener(self._on_event)
            await conn.add_listener(channel(self._schema), self._on_event)
        except BaseException:
            await self._pool.release(conn)
            raise
        self._conn = conn
        self.listens += 1
        return conn

    def _on_event(self, *_: object) -> None:
        self._wake.set()  # a notification, or the connection closed (the next round reconnects)

    async def _send(self, conn: asyncpg.Connection, wave: list[asyncpg.Record]) -> int:
        """Publishes a wave; returns how many went out. Parks what can never go; after marking what
        went out, raises the first error that may pass (the round starts again at that row)."""
        outcomes = await self._publish(wave)
        sent = [row["id"] for row, outcome in zip(wave, outcomes, strict=True) if outcome is None]
        if sent:
            with suppress_instrumentation():  # outside any task's trace: no trace of its own a wave
                await conn.execute(
                    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])", sent
                )
        retry: BaseException | None = None
        for row, outcome in zip(wave, outcomes, strict=True):
            if isinstance(outcome, UNPUBLISHABLE):
                await self._note(conn, row, "parked_at = now(), ", outcome)
                log.error(
                    "outbox %s: parked row %s (seq %s): %s", self._schema, row["id"], row["seq"], describe(outcome)
                )
                self.parked += 1
            elif outcome is not None:
                if not isinstance(outcome, Exception):
                    raise outcome  # cancelled: stop here, the rows stay unsent
                with suppress(Exception):  # the database may be what failed; the attempt is then not noted
                    await self._note(conn, row, "", outcome)
                retry = retry or outcome
        self.published += len(sent)  # once the wave's parked rows are counted too
        if retry is not None:
            raise retry
        return len(sent)

    async def _note(self, conn: asyncpg.Connection, row: asyncpg.Record, park: str, exc: BaseException) -> None:
        await conn.execute(
            f"UPDATE outbox SET {park}attempts = attempts + 1, last_error = $2 WHERE id = $1", row["id"], describe(exc)
        )

    async def _publish(self, wave: list[asyncpg.Record]) -> list[BaseException | None]:
        """Each row's outcome: None once the stream acked it. Every row goes out before any ack is
        awaited (nats-py's publish_async: one reply subscription, no request per row), then the acks
        are awaited together for PUBLISH_TIMEOUT_S. A row without an ack by then is a failure like
        any other: the round starts again at it, with the same Nats-Msg-Id."""
        started: list[tuple[trace.Span, Sent]] = []
        try:
            for row in wave:
                started.append(await self._start(row))
            pending = [ack for _, ack in started if isinstance(ack, asyncio.Future)]
            if pending:
                await asyncio.wait(pending, timeout=PUBLISH_TIMEOUT_S)
        except BaseException:  # cancelled: the rows stay unsent, their spans end unmarked
            for span, _ in started:
                span.end()
            raise
        outcomes = [_outcome(ack) for _, ack in started]
        for (span, _), outcome in zip(started, outcomes, strict=True):
            if outcome is not None:
                span.set_status(Status(StatusCode.ERROR))
                span.set_attribute("error.type", type(outcome).__qualname__)
            span.end()
        return outcomes

    async def _start(self, row: asyncpg.Record) -> tuple[trace.Span, Sent]:
        """The row's producer span, a child of the request that wrote it, and its publish."""
        try:
            headers = _headers(row["headers"])
            if not headers.get("Nats-Msg-Id"):
                raise ValueError("no Nats-Msg-Id: a retry could store it twice")
        except Exception as exc:  # parked (UNPUBLISHABLE): the row is not a message
            return self._tracer.start_span("outbox relay", kind=SpanKind.PRODUCER), exc
        span = self._tracer.start_span("outbox relay", telemetry.extract(headers), SpanKind.PRODUCER)
        with trace.use_span(span, end_on_exit=False):
            propagate.inject(headers)  # the relay's span is the consumers' parent
        js = self._bus.js
        waiting = set(js._publish_async_futures)
        try:
            if not self._bus.connected:  # buffered publishes would all time out together
                raise nats.errors.ConnectionReconnectingError
            sent = await js.publish_async(row["subject"], bytes(row["payload"]), stream=EVENTS_STREAM, headers=headers)
            return span, sent
        except Exception as exc:  # this row's outcome; the others go on
            _forget(js, waiting)
            return span, exc


def _forget(js: JetStreamContext, waiting: set[str]) -> None:
    """nats-py's publish_async registers the ack's future before it publishes; when the publish
    itself raises (too large, a bad subject, the connection closed), that future would wait forever
    and hold one of its pending slots. Cancelling it frees the slot (its done callback)."""
    for token, future in list(js._publish_async_futures.items()):
        if token not in waiting:
            future.cancel()


def _outcome(ack: Sent) -> BaseException | None:
    if isinstance(ack, BaseException):
        return ack
    if not ack.done():
        ack.cancel()
        return TimeoutError(f"no ack from the stream in {PUBLISH_TIMEOUT_S} s")
    if ack.cancelled():  # only _forget cancels, and only futures it never returned: not expected here
        return ConnectionError("the publish was abandoned")
    return ack.exception()
