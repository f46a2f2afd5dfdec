"""Real servers for tests, started on free loopback ports through autoapply.local.

Session servers are shared, and tests keep apart by unique names rather than by cleaning up: a new
database per test (fresh_database), a Redis database of its own per test (redis_url), unique stream
and subject names on the shared nats-server (tests.support.unique). A test that kills or restarts a
server takes a brand-new one from a *_factory fixture. Every server is stopped at the end, also when
tests fail or the run is interrupted.
"""

from __future__ import annotations

import atexit
import itertools
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from autoapply.local import ChromiumServer, ImapServer, LocalServer, NatsServer, PostgresServer, RedisServer
from autoapply.local.chromium import browser_env, chromium_flags, find_chromium, stop_crash_handlers

if TYPE_CHECKING:
    from playwright.async_api import Browser

# Tests need speed, not power-loss safety: without fsync a commit still reaches the OS before it is
# acknowledged, so it survives a killed server (chaos tests) and is lost only if the machine dies.
TEST_PG_SETTINGS = {"fsync": "off", "full_page_writes": "off", "max_connections": "300"}
# One Redis database per test that asks for redis_url; more than a test session will ever use.
TEST_REDIS_DATABASES = 4096

# pytest-timeout's alarm paused while pytest reports a phase (an alarm inside a report stops the run).
pytest_plugins = ["tests.timeouts"]

Server = TypeVar("Server", bound=LocalServer)
_started: list[LocalServer] = []


def _stop_everything() -> None:
    # Last resort for an interrupted run; normally every fixture has stopped its server already.
    for server in reversed(_started):
        server.stop()


atexit.register(_stop_everything)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.order import order

    order(items, config.rootpath)  # long files first, a package's files together (tests/order.py)


def _serve(server: Server) -> Generator[Server, None, None]:
    _started.append(server)
    try:
        server.start()
        yield server
    finally:
        if isinstance(server, PostgresServer):
            server.destroy()  # its data may live outside the test's temporary folder (as root)
        else:
            server.stop()
        _started.remove(server)


@pytest.fixture(scope="session")
def servers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


# NATS
@pytest.fixture(scope="session")
def nats_server(servers_dir: Path) -> Iterator[NatsServer]:
    yield from _serve(NatsServer(servers_dir / "nats"))


@pytest.fixture
def nats_url(nats_server: NatsServer) -> str:
    """The shared server: use unique stream, subject and durable names (tests.support.unique)."""
    return nats_server.url


@pytest.fixture
def nats_server_factory(tmp_path: Path) -> Iterator[Callable[..., NatsServer]]:
    """Starts brand-new nats-servers for this test only (to kill, pause or restart them)."""
    yield from _factory(tmp_path, "nats", NatsServer)


@pytest.fixture
def nats(nats_server_factory: Callable[..., NatsServer]) -> NatsServer:
    """A nats-server of this test's own, for tests that declare the project's fixed stream names."""
    return nats_server_factory()


def _factory(tmp_path: Path, label: str, kind: type[Server], **defaults: Any) -> Iterator[Callable[..., Server]]:
    made: list[Generator[Server, None, None]] = []
    counter = itertools.count(1)

    def start(**kwargs: Any) -> Server:
        serving = _serve(kind(tmp_path / f"{label}-{next(counter)}", **{**defaults, **kwargs}))
        made.append(serving)
        return next(serving)

    try:
        yield start
    finally:
        for serving in reversed(made):
            serving.close()  # runs _serve's finally: stop (and for PostgreSQL, delete the data)


# PostgreSQL
@pytest.fixture(scope="session")
def postgres_server(servers_dir: Path) -> Iterator[PostgresServer]:
    yield from _serve(PostgresServer(servers_dir / "postgres", settings=TEST_PG_SETTINGS))


@pytest.fixture
def fresh_database(postgres_server: PostgresServer) -> str:
    """The DSN of a database created for this test alone."""
    return postgres_server.ensure_database(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def postgres_server_factory(tmp_path: Path) -> Iterator[Callable[..., PostgresServer]]:
    """Starts brand-new PostgreSQL servers for this test only (to kill or restart them)."""
    yield from _factory(tmp_path, "postgres", PostgresServer, settings=TEST_PG_SETTINGS)


# Redis
@pytest.fixture(scope="session")
def redis_server(servers_dir: Path) -> Iterator[RedisServer]:
    yield from _serve(RedisServer(servers_dir / "redis", databases=TEST_REDIS_DATABASES))


_redis_databases = itertools.count(1)  # database 0 is left for humans poking at the server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A URL whose database number no other test in this session uses."""
    db = next(_redis_databases)
    if db >= redis_server.databases:
        raise RuntimeError(f"more than {redis_server.databases - 1} tests used redis_url; raise TEST_REDIS_DATABASES")
    return redis_server.url_for(db)


@pytest.fixture
def redis_server_factory(tmp_path: Path) -> Iterator[Callable[..., RedisServer]]:
    """Starts brand-new Redis servers for this test only (to kill or restart them)."""
    yield from _factory(tmp_path, "redis", RedisServer)


# Chromium
@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    return find_chromium()


@pytest.fixture
async def chromium_browser(chromium_executable: Path, tmp_path: Path) -> AsyncIterator[Browser]:
    """A Playwright browser on the system's Chromium that resolves no host name but loopback."""
    from playwright.async_api import async_playwright

    home = tmp_path / "chromium-home"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium_executable),
            args=chromium_flags(block_dns=True),
            env={**browser_env(home)},
        )
        try:
            yield browser
        finally:
            await browser.close()
    stop_crash_handlers(home)


@pytest.fixture
def chromium_server_factory(tmp_path: Path) -> Iterator[Callable[..., ChromiumServer]]:
    """Starts Chromiums with remote debugging (CDP) on loopback, DNS blocked unless told otherwise."""
    yield from _factory(tmp_path, "chromium", ChromiumServer, block_dns=True)


# IMAP
@pytest.fixture(scope="session")
def imap_server(servers_dir: Path) -> Iterator[ImapServer]:
    """Dovecot on loopback; tests add users of their own (ImapServer.add_user) with unique addresses."""
    server = ImapServer(servers_dir / "imap")
    try:
        yield from _serve(server)
    finally:
        server.destroy()
