"""The transactional outbox: an event is written with the state change that causes it and
published afterwards by a relay, with Nats-Msg-Id = event_id, until the stream acks it.

A crash between the stream's ack and marking the row sent re-publishes the same id; the stream's
duplicate window stores it once, and consumers are idempotent beyond that.
"""

import asyncio
import json
import logging
from contextlib import suppress

import asyncpg
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from contracts.envelope import Event
from runtime import telemetry
from runtime.bus import Bus, encode
from runtime.errors import TransientError

log = logging.getLogger(__name__)

# Rows claimed per transaction: small enough that a slow publish holds few locks.
BATCH_SIZE = 50
# Without a notification (another process wrote the row, or one was missed), look anyway.
POLL_INTERVAL_S = 1.0


def channel(schema: str) -> str:
    return f"{schema}_outbox"


async def enqueue(conn: asyncpg.Connection, schema: str, event: Event) -> None:
    """Adds the event to the outbox inside the caller's transaction (published after commit)."""
    subject, payload, headers = encode(event)
    telemetry.inject(headers)
    await conn.execute(
        "INSERT INTO outbox (id, subject, payload, headers) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (id) DO NOTHING",
        event.event_id,
        subject,
        payload,
        json.dumps(headers),
    )
    await conn.execute("SELECT pg_notify($1, '')", channel(schema))


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, bus: Bus, schema: str) -> None:
        self._pool, self._bus, self._schema = pool, bus, schema
        self._wake = asyncio.Event()
        self._tracer = trace.get_tracer(__name__)
        self.published = 0

    async def run(self) -> None:
        listener = await self._listen()
        try:
            while True:
                await self.drain()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_INTERVAL_S)
                self._wake.clear()
        finally:
            if listener is not None:
                with suppress(Exception):
                    await listener.remove_listener(channel(self._schema), self._on_notify)
                await self._pool.release(listener)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            conn = await self._pool.acquire()
            await conn.add_listener(channel(self._schema), self._on_notify)
            return conn
        except (OSError, asyncpg.PostgresError) as exc:  # polling still works
            log.warning("outbox: LISTEN failed, polling only: %r", exc)
            return None

    async def drain(self) -> int:
        total = 0
        while True:
            try:
                sent = await self._batch()
            except (TransientError, OSError, asyncpg.PostgresError) as exc:
                log.warning("outbox: publish round failed, will retry: %r", exc)
                await asyncio.sleep(POLL_INTERVAL_S)
                return total
            total += sent
            if sent < BATCH_SIZE:
                return total

    async def _batch(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, subject, payload, headers FROM outbox WHERE sent_at IS NULL "
                "ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
                BATCH_SIZE,
            )
            for row in rows:
                await self._publish(row)
                await conn.execute(
                    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1", row["id"]
                )
        self.published += len(rows)
        return len(rows)

    async def _publish(self, row: asyncpg.Record) -> None:
        headers = json.loads(row["headers"])
        parent = telemetry.extract(headers)
        with self._tracer.start_as_current_span("outbox relay", context=parent, kind=SpanKind.PRODUCER):
            await self._bus.publish_raw(row["subject"], bytes(row["payload"]), headers)
