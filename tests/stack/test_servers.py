"""Each local server starts on a free loopback port, answers, restarts on its data, and stops cleanly."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import nats
import psutil
import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser

from autoapply.local import ChromiumServer, NatsServer, PostgresServer, RedisServer
from autoapply.local.probe import get_json
from tests.stack.helpers import assert_gone, server_tree
from tests.support import unique

pytestmark = pytest.mark.integration


async def test_nats_server_runs_jetstream_with_every_write_synced(nats_url: str, nats_server: NatsServer) -> None:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        name = unique("S").replace("-", "_")
        await js.add_stream(name=name, subjects=[f"{name}.>"])
        ack = await js.publish(f"{name}.x", b"1")
    finally:
        await client.close()
    assert ack.seq == 1
    status, jsz = get_json(f"{nats_server.monitor_url}/jsz")
    assert status == 200
    assert jsz["config"]["sync_always"] is True
    assert jsz["config"]["max_memory"] == 256 * 1024 * 1024


async def test_postgres_gives_each_test_its_own_database(postgres_server: PostgresServer, fresh_database: str) -> None:
    conn = await asyncpg.connect(fresh_database)
    try:
        name = await conn.fetchval("select current_database()")
    finally:
        await conn.close()
    assert fresh_database.endswith(f"/{name}") and name.startswith("t_")
    assert postgres_server.ensure_database(name) == fresh_database  # a second call changes nothing
    with pytest.raises(ValueError, match="must match"):
        postgres_server.ensure_database("x; drop database postgres")


async def test_redis_gives_each_test_its_own_database(redis_server: RedisServer, redis_url: str) -> None:
    mine = aioredis.from_url(redis_url)
    other = aioredis.from_url(redis_server.url_for(0))
    try:
        await mine.set("k", "mine")
        assert await mine.get("k") == b"mine"
        assert await other.get("k") is None
    finally:
        await mine.aclose()
        await other.aclose()


async def test_postgres_restarts_on_the_same_port_with_its_data(
    postgres_server_factory: Callable[..., PostgresServer],
) -> None:
    server = postgres_server_factory()
    dsn, port = server.ensure_database("kept"), server.port
    await _execute(dsn, "create table t (v int); insert into t values (42)")
    before = server_tree(server)
    server.restart()
    assert_gone(before)
    assert server.port == port
    assert await _fetchval(dsn, "select v from t") == 42
    tree = server_tree(server)
    assert server.stop() == "stopped"
    assert_gone(tree)


def test_redis_and_nats_restart_on_the_same_ports(
    redis_server_factory: Callable[..., RedisServer], nats_server_factory: Callable[..., NatsServer]
) -> None:
    for server in (redis_server_factory(), nats_server_factory()):
        port, tree = server.port, server_tree(server)
        server.restart()
        assert_gone(tree)
        assert server.port == port and server.healthy()
        tree = server_tree(server)
        assert server.stop() == "stopped"
        assert_gone(tree)
        assert not server.pid_file.exists()


def test_chromium_serves_cdp_and_stops_with_all_its_processes(
    chromium_server_factory: Callable[..., ChromiumServer],
) -> None:
    server = chromium_server_factory()
    status, version = get_json(f"{server.url}/json/version")
    assert status == 200 and version["webSocketDebuggerUrl"].startswith("ws://127.0.0.1:")
    tree = server_tree(server)
    assert server.stop() == "stopped"
    assert_gone(tree + _crash_handlers(server.home))


@pytest.fixture
def loopback_page() -> Iterator[str]:
    """A one-page HTTP server on loopback."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<title>local</title>hello"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def test_playwright_browser_loads_loopback_and_resolves_nothing_else(
    chromium_browser: Browser, loopback_page: str
) -> None:
    page = await chromium_browser.new_page()
    await page.goto(loopback_page)
    assert await page.title() == "local"
    with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):
        await page.goto("http://jobs.example.com/")


def _crash_handlers(home: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(home) in arg for arg in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _fetchval(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()
