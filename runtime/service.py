"""The process around a service: settings, telemetry, database, Redis, bus, outbox relay,
dead-letter relay, health endpoint, optional HTTP app, and a clean stop on SIGTERM."""

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from contracts.streams import ADVISORY_STREAM, ConsumerSpec
from runtime import cache, db, deadletter, housekeeping, scrub, telemetry
from runtime.bus import Bus, Handler
from runtime.health import HealthServer
from runtime.outbox import OutboxRelay
from runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

# In-flight handlers get this long to finish after SIGTERM before the process exits anyway;
# whatever they did not ack is redelivered to another instance.
STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class Consumer:
    spec: ConsumerSpec
    handler: Handler
    workers: int = 1


class Service:
    """What handlers reach: the pool (search_path = the service's schema), Redis and the bus."""

    def __init__(self, settings: ServiceSettings, migrations: Path | None) -> None:
        self.settings = settings
        self.schema = db.check_schema(settings.service)
        self._migrations = migrations
        self._consumers: list[Consumer] = []
        self._background: list[Callable[[], Coroutine[Any, Any, Any]]] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._stopping = asyncio.Event()
        self.provider: TracerProvider | None = None
        self.pool: asyncpg.Pool
        self.redis: aioredis.Redis
        self.bus: Bus
        self.health: HealthServer

    def consume(self, spec: ConsumerSpec, handler: Handler, workers: int = 1) -> None:
        self._consumers.append(Consumer(spec, handler, workers))

    def background(self, job: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """A long-running coroutine started with the service and cancelled at stop."""
        self._background.append(job)

    async def start(self) -> None:
        s = self.settings
        self.provider = telemetry.setup(s.service, s.instance)
        AsyncPGInstrumentor().instrument(tracer_provider=self.provider)  # type: ignore[no-untyped-call]
        RedisInstrumentor().instrument(tracer_provider=self.provider)
        self.pool = await db.create_pool(s.database_url, self.schema)
        applied = await db.migrate(self.pool, self.schema, self._migrations)
        if applied:
            log.info("migrations applied: %s", ", ".join(applied))
        self.redis = await cache.connect(s.redis_url)
        self.bus = Bus(s.nats_servers, name=s.instance, tracer_provider=self.provider)
        self._wire_consumers()
        await self.bus.start()
        relay = OutboxRelay(self.pool, self.bus, self.schema)
        for job in (relay.run, lambda: housekeeping.run(self.pool), *self._background):
            self._tasks.append(asyncio.create_task(job()))
        self.checks = self._checks()
        self.health = HealthServer(s.health_port, self.checks, {"service": s.service, "instance": s.instance})
        await self.health.start()
        log.info("%s started; health on port %s", s.instance, self.health.port)

    def _wire_consumers(self) -> None:
        for c in self._consumers:
            self.bus.subscribe(c.spec, c.handler, c.workers)
        names = [c.spec.durable for c in self._consumers]
        if names:
            spec = deadletter.relay_spec(self.settings.service, names)
            self.bus.subscribe_raw(
                spec, ADVISORY_STREAM, lambda msg: deadletter.copy_to_dead_letters(self.bus.js, msg.subject, msg.data)
            )

    def _checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        async def nats_ok() -> bool:
            return self.bus.connected

        async def db_ok() -> bool:
            return bool(await self.pool.fetchval("SELECT true"))

        async def redis_ok() -> bool:
            return await cache.healthy(self.redis)

        async def tasks_ok() -> bool:
            return not any(t.done() for t in self._tasks)

        return {"nats": nats_ok, "postgres": db_ok, "redis": redis_ok, "workers": tasks_ok}

    def request_stop(self) -> None:
        self._stopping.set()

    async def wait_stopped(self) -> None:
        await self._stopping.wait()

    async def stop(self) -> None:
        with suppress(Exception):
            await asyncio.wait_for(self.bus.close(), STOP_GRACE_S)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with suppress(Exception):
            await self.health.close()
        with suppress(Exception):
            await self.redis.aclose()
        with suppress(Exception):
            await asyncio.wait_for(self.pool.close(), STOP_GRACE_S)
        if self.provider is not None:
            self.provider.shutdown()


def configure_logging(level: str, instance: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format=f"%(asctime)s %(levelname)s {instance} %(name)s: %(message)s",
    )
    scrub.scrub_logs()  # personal data never reaches a log line (runtime.scrub)
    # FastStream logs every message received and processed at INFO: too loud for a service log.
    logging.getLogger("bus").setLevel(logging.WARNING)


async def serve(service: Service, extra: Callable[[Service], Coroutine[Any, Any, Any]] | None = None) -> None:
    """Runs a service until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.request_stop)
    await service.start()
    extra_task: asyncio.Task[Any] | None = asyncio.create_task(extra(service)) if extra else None
    try:
        await service.wait_stopped()
    finally:
        log.info("%s stopping", service.settings.instance)
        if extra_task is not None:
            extra_task.cancel()
            await asyncio.gather(extra_task, return_exceptions=True)
        await service.stop()
