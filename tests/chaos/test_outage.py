"""PostgreSQL stopped under a running service for far longer than its whole retry budget: the
service naks and pauses, nothing reaches the dead letters, and every event is applied exactly
once after the database returns."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from autoapply.local.nats import NatsServer
from autoapply.local.postgres import PostgresServer
from contracts.streams import DEAD_LETTER_STREAM
from runtime.bus import Bus
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.chaos
SERVICE = "chaos_outage"
EVENTS = 20
OUTAGE_S = 10.0  # the service's retry budget is about one second


async def test_postgres_down_longer_than_the_retry_budget_loses_nothing_and_applies_once(
    nats: NatsServer, postgres_server_factory: Callable[..., PostgresServer], redis_url: str, tmp_path: Path
) -> None:
    pg = postgres_server_factory()
    dsn = pg.ensure_database("autoapply")
    env = service_env(SERVICE, nats.url, dsn, redis_url, tmp_path)
    env |= {"OUTAGE_DURABLE": unique("outage"), "OUTAGE_STEP_S": "0.3", "AUTOAPPLY_WORKERS": "2"}
    service = Child("tests.chaos.outage_service", env, tmp_path / "service.log")
    bus = Bus([nats.url], unique("publisher"))
    try:
        await wait_healthy(service)
        await bus.connect()
        events = [queued_event() for _ in range(EVENTS)]
        for event in events:
            await bus.publish(event)
        await asyncio.to_thread(pg.stop)  # two are in flight, the rest wait in the stream
        await eventually(lambda: _postgres_down(env), timeout_s=10)
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(pg.start)
        conn = await asyncpg.connect(dsn)
        try:
            await eventually(lambda: _applied(conn, EVENTS), timeout_s=40)
            rows = await conn.fetch(f"SELECT event_id, times, num_delivered FROM {SERVICE}.applied")
        finally:
            await conn.close()
        dead = (await bus.js.stream_info(DEAD_LETTER_STREAM)).state.messages
    finally:
        service.stop()
        await bus.close()
    log = service.log.read_text()
    assert {r["event_id"] for r in rows} == {e.event_id for e in events}
    assert all(r["times"] == 1 for r in rows)  # exactly once
    assert dead == 0
    assert max(r["num_delivered"] for r in rows) >= 2  # redeliveries really happened ...
    assert "a dependency is down" in log and "consumers paused (postgres)" in log and "consumers resumed" in log


async def _postgres_down(env: dict[str, str]) -> bool:
    url = f"http://127.0.0.1:{env['AUTOAPPLY_HEALTH_PORT']}/healthz"
    async with httpx.AsyncClient() as client:
        answer = await client.get(url, timeout=5)
    return answer.status_code == 503 and answer.json()["checks"]["postgres"] is False


async def _applied(conn: asyncpg.Connection, n: int) -> bool:
    return bool(await conn.fetchval(f"SELECT count(*) FROM {SERVICE}.applied") == n)
