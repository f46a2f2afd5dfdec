"""SIGTERM under a running service: it stops fetching and the handler in flight finishes within the
grace period (applied once, not cancelled and redelivered); the process exits cleanly."""

import asyncio
from pathlib import Path

import asyncpg
import pytest

from autoapply.local.nats import NatsServer
from contracts.streams import EVENTS_STREAM
from runtime.bus import Bus
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.chaos
SERVICE = "chaos_shutdown"


async def test_sigterm_lets_the_handler_in_flight_finish(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    durable = unique("shutdown")
    env = service_env(SERVICE, nats.url, fresh_database, redis_url, tmp_path)
    env |= {"OUTAGE_DURABLE": durable, "OUTAGE_STEP_S": "2.0"}
    service = Child("tests.chaos.outage_service", env, tmp_path / "service.log")
    bus = Bus([nats.url], unique("publisher"))
    try:
        await wait_healthy(service)
        await bus.connect()
        event = queued_event()
        await bus.publish(event)

        async def in_flight() -> bool:
            return (await bus.js.consumer_info(EVENTS_STREAM, durable)).num_ack_pending == 1

        await eventually(in_flight)
        code = await asyncio.to_thread(service.stop)  # SIGTERM, mid-step
        info = await bus.js.consumer_info(EVENTS_STREAM, durable)
        conn = await asyncpg.connect(fresh_database)
        try:
            row = await conn.fetchrow(
                f"SELECT times, num_delivered FROM {SERVICE}.applied WHERE event_id = $1", event.event_id
            )
        finally:
            await conn.close()
    finally:
        service.stop()
        await bus.close()
    assert code == 0
    assert row is not None and row["times"] == 1 and row["num_delivered"] == 1
    assert info.num_ack_pending == 0 and info.num_redelivered == 0  # acked before the process left
