"""The relay against real servers: commit order across relays, a row it can never publish, a wave
where one publish fails and one ack is lost, and a PostgreSQL restart under it."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import nats.errors
import pytest
from nats.js.api import PubAck

from autoapply.local.nats import NatsServer
from autoapply.local.postgres import PostgresServer
from contracts.streams import EVENTS_STREAM
from runtime import db, outbox
from runtime.bus import Bus
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.integration

# nats-server's default max_payload is 1 MB.
OVERSIZE_BYTES = 1_100_000


@pytest.fixture
def schema() -> str:
    return unique("relay").replace("-", "_")


@pytest.fixture
async def pool(fresh_database: str, schema: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(fresh_database, schema)
    await db.migrate(pool, schema, None)
    try:
        yield pool
    finally:
        await pool.close()


async def _enqueue(pool: asyncpg.Pool, schema: str, **extra: object) -> uuid.UUID:
    event = queued_event(**extra)
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, schema, event)
    return event.event_id


async def _stored_ids(bus: Bus) -> list[uuid.UUID]:
    """The events stream's messages in stream order, by their Nats-Msg-Id."""
    count = (await bus.js.stream_info(EVENTS_STREAM)).state.messages
    msgs = [await bus.js.get_msg(EVENTS_STREAM, seq) for seq in range(1, count + 1)]
    return [uuid.UUID((m.headers or {})["Nats-Msg-Id"]) for m in msgs]


async def test_an_oversize_event_is_parked_and_the_rows_behind_it_are_published(
    pool: asyncpg.Pool, schema: str, bus: Bus
) -> None:
    before = await _enqueue(pool, schema)
    huge = await _enqueue(pool, schema, preferences={"note": "x" * OVERSIZE_BYTES})
    behind = [await _enqueue(pool, schema) for _ in range(3)]
    relay = outbox.OutboxRelay(pool, bus, schema)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: relay.published == 4, timeout_s=20)
        assert not task.done() and relay.parked == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await _stored_ids(bus) == [before, *behind]
    row = await pool.fetchrow("SELECT sent_at, parked_at, attempts, last_error FROM outbox WHERE id = $1", huge)
    assert row["sent_at"] is None and row["parked_at"] is not None and row["attempts"] == 1
    assert row["last_error"].startswith("MaxPayloadError")


async def test_a_failed_attempt_is_recorded_on_the_row_and_the_relay_goes_on(
    pool: asyncpg.Pool, schema: str, nats_server_factory: Callable[..., NatsServer]
) -> None:
    server = nats_server_factory()
    bus = Bus([server.url], unique("relay"))
    await bus.connect()
    event_id = await _enqueue(pool, schema)
    await bus.js.delete_stream(EVENTS_STREAM)  # nothing takes task.* now: every publish fails
    relay = outbox.OutboxRelay(pool, bus, schema)
    task = asyncio.create_task(relay.run())
    try:

        async def attempted() -> bool:
            return bool(await pool.fetchval("SELECT attempts > 0 FROM outbox WHERE id = $1", event_id))

        await eventually(attempted, timeout_s=60)
        row = await pool.fetchrow("SELECT sent_at, parked_at, last_error FROM outbox WHERE id = $1", event_id)
        assert row["sent_at"] is None and row["parked_at"] is None and row["last_error"]
        await bus.connect()  # declares the streams again
        await eventually(lambda: relay.published == 1, timeout_s=60)
        assert not task.done()
        assert await _stored_ids(bus) == [event_id]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bus.close()


async def test_a_wave_where_one_publish_fails_and_one_ack_is_lost_stores_every_row_once(
    pool: asyncpg.Pool, schema: str, bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [await _enqueue(pool, schema) for _ in range(6)]  # six tasks: one wave
    real = bus.js.publish_async
    calls: Counter[str] = Counter()

    async def flaky(subject: str, payload: bytes = b"", **kw: Any) -> asyncio.Future[PubAck]:
        row = kw["headers"]["Nats-Msg-Id"]
        calls[row] += 1
        if row == str(ids[2]) and calls[row] == 1:  # refused before it leaves
            raise nats.errors.ConnectionReconnectingError
        sent = await real(subject, payload, **kw)
        if row == str(ids[4]) and calls[row] == 1:  # stored by the stream, its ack lost on the way back
            return asyncio.get_running_loop().create_future()
        return sent

    monkeypatch.setattr(bus.js, "publish_async", flaky)
    relay = outbox.OutboxRelay(pool, bus, schema)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: relay.published == 6, timeout_s=30)
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert calls[str(ids[2])] == calls[str(ids[4])] == 2 and calls[str(ids[0])] == 1
    assert sorted(await _stored_ids(bus)) == sorted(ids)  # each once: the lost ack's retry was deduplicated
    unsent = await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    assert unsent == 0 and bus.js.publish_async_pending() == 0


async def test_two_relays_publish_one_task_in_commit_order(
    pool: asyncpg.Pool, schema: str, bus: Bus, nats: NatsServer
) -> None:
    task_id = uuid.uuid4()
    other = Bus([nats.url], unique("relay2"))
    await other.connect()
    relays = [outbox.OutboxRelay(pool, b, schema) for b in (bus, other)]
    runs = [asyncio.create_task(r.run()) for r in relays]
    committed: list[uuid.UUID] = []
    try:
        for _ in range(120):  # written while both relays run, one transaction each
            committed.append(await _enqueue(pool, schema, task_id=task_id))
        await eventually(lambda: sum(r.published for r in relays) >= 120, timeout_s=30)
        await asyncio.sleep(0.5)
        stored = await _stored_ids(bus)
    finally:
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
        await other.close()
    assert stored == committed
    assert sorted(r.owner for r in relays) == [False, False]  # both gave the lock back when stopped


async def test_the_relay_listens_again_after_postgres_restarts(
    postgres_server_factory: Callable[..., PostgresServer], bus: Bus
) -> None:
    pg = postgres_server_factory()
    dsn = pg.ensure_database("relay")
    schema = unique("relay").replace("-", "_")
    pool = await db.create_pool(dsn, schema)
    await db.migrate(pool, schema, None)
    # Polling so slow that only a notification can explain a prompt publish.
    relay = outbox.OutboxRelay(pool, bus, schema, poll_interval_s=300)
    task = asyncio.create_task(relay.run())
    try:
        await _enqueue(pool, schema)
        await eventually(lambda: relay.published == 1, timeout_s=10)
        await asyncio.to_thread(pg.stop)
        await asyncio.to_thread(pg.start)
        await eventually(lambda: relay.listens == 2, timeout_s=30)
        await asyncio.sleep(0.5)  # the poll is 300 s away; only NOTIFY can wake it from here
        await _enqueue(pool, schema)
        await eventually(lambda: relay.published == 2, timeout_s=5)
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await pool.close()


async def test_a_role_granted_only_insert_on_the_outbox_can_enqueue(pool: asyncpg.Pool, schema: str) -> None:
    role = unique("writer").replace("-", "_")
    await pool.execute(f"CREATE ROLE {role} NOLOGIN")
    await pool.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}; GRANT INSERT, SELECT (id) ON outbox TO {role}")
    first = await _enqueue(pool, schema)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {role}")
        await outbox.enqueue(conn, schema, queued_event())
    seqs = [r["seq"] for r in await pool.fetch("SELECT seq FROM outbox ORDER BY seq")]
    assert len(seqs) == 2 and seqs[0] < seqs[1]
    assert await pool.fetchval("SELECT seq FROM outbox WHERE id = $1", first) == seqs[0]
