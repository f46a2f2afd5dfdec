"""One whole stack for the e2e package (starting five services takes up to a minute on a busy
machine, so its modules share it): its own nats-server, a database and Redis database of its own on
the session's servers, the sandbox, and the five services as real processes. Tests keep apart by users of
their own, and by jobs of their own where they switch a job's flags."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from autoapply.local import NatsServer, PostgresServer, RedisServer
from autoapply.local.traces_site import TraceExplorer
from bench._model import ModelServer
from tests.e2e.stack import Stack, Watcher, healthy, spawn
from tests.processes import stop_all, stop_strays
from tests.sandbox.harness import Sandbox, start_sandbox, stop_sandbox

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test's timeout covers the test alone, not the package's stack it may happen to start: the
    first e2e test a worker runs would otherwise spend its budget on five services starting (two
    and a half minutes on a loaded machine), and a later test of the same file would not. The
    fixtures bound their own waits (healthy(): 150 s, the sandbox: START_TIMEOUT_S)."""
    for item in items:
        marker = item.get_closest_marker("timeout")
        if marker is not None and item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.timeout(*marker.args, func_only=True), append=False)


@pytest.fixture(scope="package")
def e2e_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("e2e-sandbox") / "state", "--captcha-oracle")
    try:
        yield box
    finally:
        box.client.close()
        stop_sandbox(box.proc)


@pytest.fixture(scope="package")
def e2e_model() -> Iterator[ModelServer]:
    """The stack's model: the local Messages API server; a test that uses it sets its script."""
    server = ModelServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    e2e_sandbox: Sandbox,
    e2e_model: ModelServer,
) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("e2e")
    nats = NatsServer(folder / "nats")
    nats.start()
    explorer = TraceExplorer(folder / "traces")
    explorer.start()
    running: Stack | None = None
    try:
        dsn = postgres_server.ensure_database(f"t_{uuid.uuid4().hex[:16]}")
        # A database number of its own, from the top so the per-test redis_url counter never meets it.
        redis_url = redis_server.url_for(redis_server.databases - 1000 - int(uuid.uuid4().int % 1000))
        running = spawn(folder, e2e_sandbox, nats.url, dsn, redis_url, explorer.url, e2e_model.url)
        asyncio.run(healthy(running))
        yield running
    finally:
        if running is not None:
            stop_all(list(running.children.values()))
        nats.stop()
        explorer.stop()
        stop_strays(folder)  # browsers of a provisioner killed before it stopped them


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=15) as client:
        yield client


@pytest.fixture
async def watcher(stack: Stack) -> AsyncIterator[Watcher]:
    seen = await Watcher.start(stack.nats_url)
    try:
        yield seen
    finally:
        await seen.close()
