"""The outbox publishes what committed (and only that); the inbox applies each event once."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts.envelope import Event
from contracts.states import TaskState
from contracts.streams import EVENTS_STREAM
from runtime import db, housekeeping, outbox
from runtime.bus import Bus, Delivery
from runtime.inbox import guarded_transition, handle_once
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


@pytest.fixture
def schema() -> str:
    return unique("svc").replace("-", "_")


@pytest.fixture
async def pool(fresh_database: str, schema: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(fresh_database, schema)
    await db.migrate(pool, schema, None)
    await pool.execute(
        "CREATE TABLE tasks (task_id uuid PRIMARY KEY, state text NOT NULL, "
        "updated_at timestamptz NOT NULL DEFAULT now())"
    )
    try:
        yield pool
    finally:
        await pool.close()


async def test_migrations_are_ordered_and_applied_once(fresh_database: str) -> None:
    schema = unique("m").replace("-", "_")
    pool = await db.create_pool(fresh_database, schema)
    try:
        first = await db.migrate(pool, schema, None)
        again = await db.migrate(pool, schema, None)
    finally:
        await pool.close()
    assert first == [
        "runtime/0001_runtime.sql",
        "runtime/0002_ledger.sql",
        "runtime/0003_outbox_order.sql",
        "runtime/0004_outbox_identity.sql",
    ]
    assert again == []


async def test_an_outboxed_event_is_published_after_commit_and_a_rolled_back_one_never(
    pool: asyncpg.Pool, schema: str, bus: Bus
) -> None:
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    bus.subscribe(queued_spec(), handle)
    await bus.start()
    kept, dropped = queued_event(), queued_event()
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, schema, kept)
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, schema, dropped)
            raise RuntimeError("the state change failed")
    relay = outbox.OutboxRelay(pool, bus, schema)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: len(seen) == 1)
        await asyncio.sleep(0.5)
    finally:
        task.cancel()
    assert [e.event_id for e in seen] == [kept.event_id]
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_a_relay_that_publishes_again_after_a_crash_is_deduplicated(
    pool: asyncpg.Pool, schema: str, bus: Bus
) -> None:
    # A relay that died after the stream's ack and before marking the row sent publishes it again.
    event = queued_event()
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, schema, event)
    relay = outbox.OutboxRelay(pool, bus, schema)
    assert await relay.drain() == 1
    await relay.close()
    await pool.execute("UPDATE outbox SET sent_at = NULL")  # as if the mark had not committed
    again = outbox.OutboxRelay(pool, bus, schema)
    assert await again.drain() == 1
    await again.close()
    assert (await bus.js.stream_info(EVENTS_STREAM)).state.messages == 1


async def test_the_inbox_applies_a_redelivered_event_once(pool: asyncpg.Pool) -> None:
    event = queued_event()
    calls: list[int] = []

    async def apply(conn: asyncpg.Connection) -> None:
        calls.append(1)
        await conn.execute("INSERT INTO tasks (task_id, state) VALUES ($1, 'QUEUED')", event.task_id)

    assert await handle_once(pool, "c1", event, apply) is True
    assert await handle_once(pool, "c1", event, apply) is False
    assert await handle_once(pool, "c2", event, lambda conn: asyncio.sleep(0)) is True  # another consumer
    assert calls == [1]


async def test_a_failed_effect_leaves_no_inbox_row_so_the_retry_applies(pool: asyncpg.Pool) -> None:
    event = queued_event()

    async def broken(conn: asyncpg.Connection) -> None:
        raise ConnectionError("database went away mid-transaction")

    with pytest.raises(ConnectionError):
        await handle_once(pool, "c1", event, broken)
    assert await handle_once(pool, "c1", event, lambda conn: asyncio.sleep(0)) is True


async def test_guarded_transitions_refuse_a_late_event(pool: asyncpg.Pool) -> None:
    task_id = uuid.uuid4()
    await pool.execute("INSERT INTO tasks (task_id, state) VALUES ($1, 'PROVISIONING')", task_id)
    async with pool.acquire() as conn:
        assert await guarded_transition(conn, "tasks", task_id, TaskState.READY, [TaskState.PROVISIONING])
        assert not await guarded_transition(conn, "tasks", task_id, TaskState.READY, [TaskState.PROVISIONING])
    assert await pool.fetchval("SELECT state FROM tasks WHERE task_id = $1", task_id) == "READY"


async def test_the_relay_keeps_the_trace_of_the_transaction_that_wrote_the_event(
    pool: asyncpg.Pool, schema: str, nats: object
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    bus = Bus([nats.url], unique("traced"), tracer_provider=provider)  # type: ignore[attr-defined]
    seen: list[str] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(delivery.headers["traceparent"].split("-")[1])

    bus.subscribe(queued_spec(), handle)
    await bus.start()
    try:
        with provider.get_tracer("t").start_as_current_span("accept task") as root:
            async with pool.acquire() as conn, conn.transaction():
                await outbox.enqueue(conn, schema, queued_event())
        # The relay runs later, outside that span, as it would in another task or process.
        relay = outbox.OutboxRelay(pool, bus, schema)
        await relay.drain()
        await relay.close()
        await eventually(lambda: len(seen) == 1)
    finally:
        await bus.close()
    assert seen == [format(root.get_span_context().trace_id, "032x")]


async def test_housekeeping_trims_old_rows_and_keeps_recent_ones(pool: asyncpg.Pool, schema: str) -> None:
    old, recent = queued_event(), queued_event()
    async with pool.acquire() as conn, conn.transaction():
        for event in (old, recent):
            await outbox.enqueue(conn, schema, event)
            await handle_once(pool, "c1", event, lambda conn: asyncio.sleep(0))
    await pool.execute("UPDATE outbox SET sent_at = now() - interval '2 days' WHERE id = $1", old.event_id)
    await pool.execute("UPDATE outbox SET sent_at = now() WHERE id = $1", recent.event_id)
    await pool.execute(
        "UPDATE processed_events SET processed_at = now() - interval '40 days' WHERE event_id = $1", old.event_id
    )
    await housekeeping.trim(pool)
    assert [r["id"] for r in await pool.fetch("SELECT id FROM outbox")] == [recent.event_id]
    assert [r["event_id"] for r in await pool.fetch("SELECT event_id FROM processed_events")] == [recent.event_id]
