"""A service's /healthz answers for its consumers and its dependencies: a fetch loop that stalled
makes it unhealthy; a busy pool is not a dead database, a stopped PostgreSQL is; a service with an
HTTP server of its own is healthy only while that server listens."""

import asyncio
import secrets
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import httpx
import pytest
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from autoapply.local.postgres import PostgresServer
from contracts.envelope import Event
from runtime import consumer as consumer_module
from runtime import telemetry, web
from runtime.bus import Delivery
from runtime.health import run_checks
from runtime.service import Service
from runtime.settings import ServiceSettings
from tests.support import eventually, queued_event, queued_spec

pytestmark = pytest.mark.integration


def _settings(nats: NatsServer, dsn: str, redis_url: str, tmp_path: Path) -> ServiceSettings:
    return ServiceSettings(
        service="healthcheck",
        instance="healthcheck-1",
        nats_url=nats.url,
        database_url=dsn,
        redis_url=redis_url,
        health_port=0,
        mode="sandbox",
        data_dir=tmp_path,
        secret_key=secrets.token_hex(32),  # type: ignore[arg-type]
        replicas=1,
    )


async def test_a_stalled_fetch_loop_makes_the_service_unhealthy(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def handle(event: Event, delivery: Delivery) -> None:
        pass

    # In this process, the service must not become the global tracer provider of later tests.
    monkeypatch.setattr(telemetry, "setup", telemetry.make_provider)
    svc = Service(_settings(nats, fresh_database, redis_url, tmp_path), None)
    svc.consume(queued_spec(), handle)
    await svc.start()
    try:
        url = f"http://127.0.0.1:{svc.health.port}/healthz"
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).json()["checks"]["consumers"] is True
            monkeypatch.setattr(consumer_module, "STALL_AFTER_S", 0.5)

            async def never_returns(*args: object, **kwargs: object) -> list[object]:
                await asyncio.Event().wait()
                return []

            svc.bus._consumers[0]._subs[0].fetch = never_returns  # type: ignore[method-assign,assignment]

            async def unhealthy() -> bool:
                answer = await client.get(url)
                return answer.status_code == 503 and answer.json()["checks"]["consumers"] is False

            await eventually(unhealthy, timeout_s=10)
    finally:
        await svc.stop()
        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        RedisInstrumentor().uninstrument()


async def test_a_pool_held_busy_does_not_pause_the_consumers_and_a_stopped_postgres_does(
    nats: NatsServer,
    postgres_server_factory: Callable[..., PostgresServer],
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    pg = postgres_server_factory()
    monkeypatch.setattr(telemetry, "setup", telemetry.make_provider)
    svc = Service(_settings(nats, pg.ensure_database("autoapply"), redis_url, tmp_path), None)
    svc.consume(queued_spec(), handle)
    await svc.start()
    consumer = svc.bus._consumers[0]
    held = []
    while svc.pool.get_idle_size() or svc.pool.get_size() < svc.pool.get_max_size():  # the relay holds one
        held.append(await svc.pool.acquire())
    try:
        # Every connection taken: a check through the pool waited out its 2 s here and said "down".
        for _ in range(3):
            assert (await run_checks({"postgres": svc.checks["postgres"]}))["postgres"] is True
            assert consumer._may_fetch.is_set()
            await asyncio.sleep(1.0)
        await svc.bus.publish(queued_event())
        await eventually(lambda: len(seen) == 1, timeout_s=10)
        await asyncio.to_thread(pg.stop)
        await eventually(lambda: not consumer._may_fetch.is_set(), timeout_s=10)
        assert (await run_checks({"postgres": svc.checks["postgres"]}))["postgres"] is False
        await asyncio.to_thread(pg.start)
        await eventually(consumer._may_fetch.is_set, timeout_s=15)
    finally:
        for conn in held:
            with suppress(Exception):
                await svc.pool.release(conn)
        await svc.stop()
        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        RedisInstrumentor().uninstrument()


async def test_a_service_with_an_http_server_is_healthy_only_while_it_listens(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoever waits for health sends requests next: a 200 before the HTTP port listens was a refused
    connection for the first client."""
    monkeypatch.setattr(telemetry, "setup", telemetry.make_provider)
    svc = Service(_settings(nats, fresh_database, redis_url, tmp_path), None)
    svc.serves_http = True  # as runtime.service.serve sets it for a service with an HTTP server
    await svc.start()
    port = free_port()
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    serving: asyncio.Task[None] | None = None
    try:
        health = f"http://127.0.0.1:{svc.health.port}/healthz"
        async with httpx.AsyncClient() as client:
            answer = await client.get(health)
            assert answer.status_code == 503 and answer.json()["checks"]["http"] is False
            serving = asyncio.create_task(web.serve(app, port, on_server=svc.serving))

            async def healthy() -> bool:
                return (await client.get(health)).status_code == 200

            await eventually(healthy, timeout_s=10)
            assert (await client.get(f"http://127.0.0.1:{port}/")).text == "ok"  # listening by then
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
            answer = await client.get(health)
            assert answer.status_code == 503 and answer.json()["checks"]["http"] is False
    finally:
        if serving is not None:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
        await svc.stop()
        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        RedisInstrumentor().uninstrument()
