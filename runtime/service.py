"""The process around a service: settings, telemetry, database, Redis, bus, outbox relay,
dead-letter relay, health endpoint, optional HTTP app, and a clean stop on SIGTERM."""

import asyncio
import dataclasses
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis
import uvicorn
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from contracts.streams import ADVISORY_STREAM, ConsumerSpec
from runtime import cache, db, deadletter, housekeeping, logscrub, metrics, periodic, telemetry
from runtime.batch import BatchHandler
from runtime.bus import Bus, Handler
from runtime.dbprobe import Probe
from runtime.health import Check, HealthServer, run_checks
from runtime.outbox import OutboxRelay
from runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

# In-flight handlers get this long to finish after SIGTERM; the rest are cancelled and naked, so
# another instance takes them at once (the local stack's SIGKILL comes 15 s after SIGTERM).
STOP_GRACE_S = 10.0
# How often the service checks its own dependencies, to stop fetching while one is down.
DEPENDENCY_POLL_S = 1.0
DEPENDENCIES = ("nats", "postgres", "redis")


def effective_spec(spec: ConsumerSpec, instances: int, workers: int) -> ConsumerSpec:
    """max_ack_pending is what really runs at once: instances x workers (x a fetch's batch), capped
    by the spec."""
    in_flight = instances * workers * max(1, spec.fetch_batch)
    return dataclasses.replace(spec, max_ack_pending=min(spec.max_ack_pending, in_flight))


@dataclass(frozen=True)
class Consumer:
    spec: ConsumerSpec
    handler: Handler
    workers: int
    batch: BatchHandler | None = None


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
        # A service with an HTTP server of its own (serve's `extra`) is healthy only once it listens:
        # whoever waits for health sends requests next.
        self.serves_http = False
        self.http_server: uvicorn.Server | None = None

    def consume(
        self, spec: ConsumerSpec, handler: Handler, workers: int | None = None, batch: BatchHandler | None = None
    ) -> None:
        """Workers per instance default to AUTOAPPLY_WORKERS; `batch` takes a fetch's messages
        together (runtime.batch), `handler` every message it leaves."""
        self._consumers.append(Consumer(spec, handler, workers or self.settings.workers, batch))

    def background(self, job: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """A long-running coroutine started with the service and cancelled at stop."""
        self._background.append(job)

    async def start(self) -> None:
        s = self.settings
        self.provider = telemetry.setup(s.service, s.instance)
        AsyncPGInstrumentor().instrument(tracer_provider=self.provider)  # type: ignore[no-untyped-call]
        RedisInstrumentor().instrument(tracer_provider=self.provider)
        self.pool = await db.create_pool(s.database_url, self.schema)
        self.db_probe = Probe(s.database_url, self.schema)
        applied = await db.migrate(self.pool, self.schema, self._migrations)
        if applied:
            log.info("migrations applied: %s", ", ".join(applied))
        self.redis = await cache.connect(s.redis_url)
        self.bus = Bus(s.nats_servers, name=s.instance, tracer_provider=self.provider, replicas=s.replicas)
        self._wire_consumers()
        await self.bus.start()
        self.checks = self._checks()
        relay = OutboxRelay(self.pool, self.bus, self.schema)
        jobs = (relay.run, lambda: housekeeping.run(self.pool), self._pause_while_unhealthy, self._depths)
        for job in (*jobs, *self._background):
            self._tasks.append(asyncio.create_task(job()))
        self.health = HealthServer(
            s.health_port, self.checks, {"service": s.service, "instance": s.instance}, host=str(s.listen_host)
        )
        await self.health.start()
        log.info("%s started; health on port %s", s.instance, self.health.port)

    def _wire_consumers(self) -> None:
        for c in self._consumers:
            spec = effective_spec(c.spec, self.settings.instances, c.workers)
            self.bus.subscribe(spec, c.handler, c.workers, c.batch)
        names = [c.spec.durable for c in self._consumers]
        if names:
            spec = deadletter.relay_spec(self.settings.service, names)
            self.bus.subscribe_raw(
                spec, ADVISORY_STREAM, lambda msg: deadletter.copy_to_dead_letters(self.bus.js, msg.subject, msg.data)
            )

    async def _depths(self) -> None:
        await metrics.refresh(self.bus.depths)

    def _checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        async def nats_ok() -> bool:
            return self.bus.connected

        async def db_ok() -> bool:
            return await self.db_probe.alive()  # not through the pool: busy is not down

        async def redis_ok() -> bool:
            return await cache.healthy(self.redis)

        async def tasks_ok() -> bool:
            return not any(t.done() for t in self._tasks)

        async def consumers_ok() -> bool:
            return not self.bus.stalled()

        async def http_ok() -> bool:
            return self.http_server is not None and self.http_server.started and not self.http_server.should_exit

        checks: dict[str, Check] = {
            "nats": nats_ok,
            "postgres": db_ok,
            "redis": redis_ok,
            "workers": tasks_ok,
            "consumers": consumers_ok,
        }
        return checks | ({"http": http_ok} if self.serves_http else {})

    def serving(self, server: uvicorn.Server) -> None:
        """The HTTP server this service runs: health answers for it from now on."""
        self.http_server = server

    async def _pause_while_unhealthy(self) -> None:
        """Consumers stop fetching while a dependency is down: an outage is no reason to fail messages."""
        checks = {name: self.checks[name] for name in DEPENDENCIES}
        paused = False
        while True:
            results = await run_checks(checks)
            down = [name for name, ok in results.items() if not ok]
            if bool(down) != paused:
                paused = bool(down)
                self.bus.pause(paused)
                log.warning("consumers %s (%s)", "paused" if paused else "resumed", ", ".join(down) or "all healthy")
            await asyncio.sleep(DEPENDENCY_POLL_S)

    def request_stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        """A stop was asked for: a handler waiting in place lets its message go to another instance."""
        return self._stopping.is_set()

    async def wait_stopped(self) -> None:
        await self._stopping.wait()

    async def stop(self) -> None:
        with suppress(Exception):
            await asyncio.wait_for(self.bus.close(STOP_GRACE_S), STOP_GRACE_S + 5)
        await periodic.cancel(self._tasks, within_s=STOP_GRACE_S)
        with suppress(Exception):
            await self.health.close()
        with suppress(Exception):
            await self.redis.aclose()
        with suppress(Exception):
            await asyncio.wait_for(self.pool.close(), STOP_GRACE_S)
        await self.db_probe.close()
        if self.provider is not None:
            self.provider.shutdown()


def configure_logging(level: str, instance: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format=f"%(asctime)s %(levelname)s {instance} %(name)s: %(message)s",
    )
    logscrub.scrub_logs()  # personal data never reaches a log line
    # FastStream logs every message received and processed at INFO: too loud for a service log.
    logging.getLogger("bus").setLevel(logging.WARNING)


async def serve(service: Service, extra: Callable[[Service], Coroutine[Any, Any, Any]] | None = None) -> None:
    """Runs a service until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.request_stop)
    service.serves_http = extra is not None
    await service.start()
    # What start-up made (modules, schemas, pools) lives as long as the process: out of the
    # collector's sight, a full collection walks only what requests make, and no request waits
    # behind a sweep of the whole heap.
    gc.freeze()
    extra_task: asyncio.Task[Any] | None = asyncio.create_task(extra(service)) if extra else None
    try:
        await service.wait_stopped()
    finally:
        log.info("%s stopping", service.settings.instance)
        if extra_task is not None:
            await periodic.cancel([extra_task], within_s=STOP_GRACE_S)
        await service.stop()
