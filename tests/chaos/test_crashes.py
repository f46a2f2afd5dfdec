"""Crashes against real processes: a consumer killed between commit and ack, a nats-server killed
under a running service. Nothing acknowledged is lost; nothing is applied twice."""

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest

from autoapply.local.nats import NatsServer
from autoapply.local.postgres import PostgresServer
from contracts.streams import EVENTS_STREAM
from runtime.bus import Bus
from services.intake.app import READ_MODEL
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.chaos


async def test_a_consumer_killed_after_commit_before_ack_is_redelivered_and_applied_once(
    nats: NatsServer, fresh_database: str, tmp_path: Path
) -> None:
    schema = unique("chaos").replace("-", "_")
    env = {
        "NATS_URL": nats.url,
        "DSN": fresh_database,
        "DURABLE": unique("worker"),
        "SCHEMA": schema,
        "CRASH_MARKER": str(tmp_path / "crashed"),
    }
    first = Child("tests.chaos.worker", env, tmp_path / "worker1.log")
    first.wait_for_line("ready")
    bus = Bus([nats.url], unique("publisher"))
    await bus.connect()
    event = queued_event(job_key="crash")
    await bus.publish(event)
    assert first.proc.wait(20) == -9  # it really died, by SIGKILL, after its commit
    assert (tmp_path / "crashed").exists()
    second = Child("tests.chaos.worker", env, tmp_path / "worker2.log")
    second.wait_for_line("ready")
    conn = await asyncpg.connect(fresh_database)
    try:
        await eventually(lambda: _deliveries(conn, schema, event.event_id, 2), timeout_s=20)
        await asyncio.sleep(2.5)  # one more ack_wait: no third delivery, so the redelivery was acked
        rows = await conn.fetch(f"SELECT num_delivered FROM {schema}.deliveries WHERE event_id = $1", event.event_id)
        times = await conn.fetchval(f"SELECT times FROM {schema}.applied WHERE event_id = $1", event.event_id)
    finally:
        await conn.close()
        second.stop()
        first.stop()
        await bus.close()
    assert sorted(r["num_delivered"] for r in rows) == [1, 2]
    assert times == 1


async def _deliveries(conn: asyncpg.Connection, schema: str, event_id: uuid.UUID, n: int) -> bool:
    count = await conn.fetchval(f"SELECT count(*) FROM {schema}.deliveries WHERE event_id = $1", event_id)
    return bool(count >= n)


async def test_nats_killed_under_a_running_service_with_publishes_in_flight_applies_each_event_once(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    # intake's task_ledger counts every application (events_seen): a double apply would show there.
    env = service_env("intake", nats.url, fresh_database, redis_url, tmp_path)
    intake = Child("services.intake", env, tmp_path / "intake.log")
    bus = Bus([nats.url], unique("publisher"))
    await bus.connect()
    acked: list[uuid.UUID] = []
    restarted: list[asyncio.Future[None]] = []

    async def publisher(count: int) -> None:
        for _ in range(count):
            event = queued_event()
            await bus.publish(event)  # retried with the same Nats-Msg-Id until the server is back
            acked.append(event.task_id)
            if len(acked) == 40:
                nats.kill()  # SIGKILL with the other publishers' messages, and intake's acks, in flight
                restarted.append(asyncio.ensure_future(_start_later(nats, 1.5)))

    try:
        await wait_healthy(intake)
        await asyncio.gather(*(publisher(15) for _ in range(8)))
        await asyncio.gather(*restarted)
        info = await bus.js.stream_info(EVENTS_STREAM)
        conn = await asyncpg.connect(fresh_database)
        try:
            # A lost ack holds intake's one ack slot for its ack_wait (30 s) before the redelivery.
            await eventually(lambda: _counts(conn, 120), timeout_s=READ_MODEL.ack_wait_s + 15, every_s=0.5)
            seen = {r["events_seen"] for r in await conn.fetch("SELECT events_seen FROM intake.task_ledger")}
            tasks = {r["task_id"] for r in await conn.fetch("SELECT task_id FROM intake.tasks")}
            inbox = await conn.fetchval("SELECT count(*) FROM intake.processed_events")
        finally:
            await conn.close()
        deliveries = (await bus.js.consumer_info(EVENTS_STREAM, READ_MODEL.durable)).delivered.consumer_seq
    finally:
        intake.stop()
        await bus.close()
    assert restarted and info.state.messages == len(acked) == 120  # nothing lost, nothing stored twice
    assert seen == {1} and inbox == 120 and tasks == set(acked)  # every event applied once
    assert deliveries >= 120, deliveries


async def _start_later(server: NatsServer, delay_s: float) -> None:
    await asyncio.sleep(delay_s)
    await asyncio.to_thread(server.start)


async def _counts(conn: asyncpg.Connection, n: int) -> bool:
    try:
        ledger = await conn.fetchval("SELECT count(*) FROM intake.task_ledger")
        return bool(ledger == n and await conn.fetchval("SELECT count(*) FROM intake.tasks") == n)
    except asyncpg.UndefinedTableError:
        return False


async def _read_model_count(conn: asyncpg.Connection, n: int) -> bool:
    exists = await conn.fetchval("SELECT to_regclass('intake.tasks') IS NOT NULL")
    return bool(exists and await conn.fetchval("SELECT count(*) FROM intake.tasks") == n)


async def test_postgres_restarted_under_a_running_service_loses_nothing(
    nats: NatsServer, postgres_server_factory: Callable[..., PostgresServer], redis_url: str, tmp_path: Path
) -> None:
    pg = postgres_server_factory()
    dsn = pg.ensure_database("autoapply")
    intake = Child("services.intake", service_env("intake", nats.url, dsn, redis_url, tmp_path), tmp_path / "i.log")
    bus = Bus([nats.url], unique("publisher"))
    try:
        await wait_healthy(intake)
        await bus.connect()
        await asyncio.to_thread(pg.stop)  # the database goes away under the running service
        events = [queued_event() for _ in range(20)]
        for event in events:
            await bus.publish(event)  # consumed now, failing: nak'ed with backoff, not lost
        await asyncio.sleep(2)
        await asyncio.to_thread(pg.start)
        conn = await asyncpg.connect(dsn)
        try:
            await eventually(lambda: _read_model_count(conn, 20), timeout_s=60)
            stored = {r["task_id"] for r in await conn.fetch("SELECT task_id FROM intake.tasks")}
        finally:
            await conn.close()
        assert stored == {e.task_id for e in events}
        assert (await wait_healthy(intake))["checks"]["postgres"] is True  # it recovered by itself
    finally:
        intake.stop()
        await bus.close()
