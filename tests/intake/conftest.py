"""One real intake for the package's modules (its own nats-server, database and Redis database), and
clients. Starting it costs seconds of CPU; its modules share it, and keep apart by registering users
of their own (tests.intake.client.new_user). A module that kills intake or starts it with settings of
its own takes `intake_servers`: servers for that module alone.
"""

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from autoapply.local import NatsServer, PostgresServer, RedisServer
from tests.intake.client import Intake
from tests.processes import Child, service_env, wait_healthy


def _servers(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, redis_server: RedisServer
) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("intake")
    nats = NatsServer(folder / "nats")
    nats.start()
    try:
        dsn = postgres_server.ensure_database(f"t_{uuid.uuid4().hex[:16]}")
        # A database number of its own, from the top so the per-test redis_url counter never meets it.
        db = redis_server.databases - 1 - int(uuid.uuid4().int % 1000)
        secret = secrets.token_hex(32)
        yield {"nats": nats.url, "dsn": dsn, "redis": redis_server.url_for(db), "folder": str(folder), "secret": secret}
    finally:
        nats.stop()


@pytest.fixture(scope="module")
def intake_servers(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, redis_server: RedisServer
) -> Iterator[dict[str, str]]:
    """Servers for this module alone: for a module that kills its intake or configures its own."""
    yield from _servers(tmp_path_factory, postgres_server, redis_server)


@pytest.fixture(scope="package")
def shared_intake_servers(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, redis_server: RedisServer
) -> Iterator[dict[str, str]]:
    yield from _servers(tmp_path_factory, postgres_server, redis_server)


def spawn_intake(servers: dict[str, str], instance: int = 1) -> Child:
    folder = Path(servers["folder"])
    env = service_env("intake", servers["nats"], servers["dsn"], servers["redis"], folder, instance)
    env["AUTOAPPLY_SECRET_KEY"] = servers["secret"]  # every instance must accept every instance's tokens
    env["AUTOAPPLY_DATA_DIR"] = str(folder / "files")
    return Child("services.intake", env, folder / f"intake-{instance}-{uuid.uuid4().hex[:6]}.log")


# The package's intake starts once per worker, and every module of the package fails if it does
# not: it may take its time on a machine that is busy with the rest of the suite.
SHARED_START_S = 100.0


async def start_intake(servers: dict[str, str], instance: int = 1, timeout_s: float = 30.0) -> Child:
    child = spawn_intake(servers, instance)
    try:
        await wait_healthy(child, timeout_s)
    except BaseException:
        child.stop()
        raise
    return child


@pytest.fixture(scope="package")
def intake(shared_intake_servers: dict[str, str]) -> Iterator[Intake]:
    child = asyncio.run(start_intake(shared_intake_servers, timeout_s=SHARED_START_S))
    try:
        yield Intake(child, shared_intake_servers)
    finally:
        child.stop()


@pytest.fixture
async def http(intake: Intake) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        yield client
