"""Attaching to the task's browser over CDP (a real Chromium with remote debugging on loopback)."""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from autoapply.local.chromium import ChromiumServer
from autoapply.local.ports import free_port
from services.executor.browser import BrowserGone, Driver, NavigationFailed, exit_ip, navigate

pytestmark = pytest.mark.integration


class _Site(BaseHTTPRequestHandler):
    released = threading.Event()  # set at teardown: a slow answer stops waiting
    # Chromium opens spare connections it may never use; each handler gives up on silence soon,
    # so closing the server does not wait for the browser to drop them.
    timeout = 2

    def do_GET(self) -> None:
        if self.path == "/ip":
            body = self.client_address[0].encode()
            kind = "text/plain"
        elif self.path == "/slow":
            self.released.wait(3)
            body, kind = b"<p>late</p>", "text/html"
        else:
            body, kind = f"<h1>job {self.path}</h1>".encode(), "text/html"
        try:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser gave up on the slow page, as the test wants

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    _Site.released.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = False  # server_close() then waits for every answer, closing its socket
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Site.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
async def driver() -> AsyncIterator[Driver]:
    made = Driver()
    yield made
    await made.close()


async def test_a_second_attach_continues_on_the_page_the_first_left(
    chromium_server_factory: Callable[..., ChromiumServer], site: str, driver: Driver
) -> None:
    chromium = chromium_server_factory()
    async with driver.attach(chromium.url) as first:
        await navigate(first.page, f"{site}/jobs/42", timeout_s=10)
    assert chromium.healthy()  # detaching leaves the browser running
    async with driver.attach(chromium.url) as again:
        assert again.page.url == f"{site}/jobs/42"
        assert await again.page.inner_text("h1") == "job /jobs/42"


async def test_the_exit_ip_is_asked_through_the_browser(
    chromium_server_factory: Callable[..., ChromiumServer], site: str, driver: Driver
) -> None:
    chromium = chromium_server_factory()
    async with driver.attach(chromium.url) as attached:
        assert await exit_ip(attached.context, f"{site}/ip") == "127.0.0.1"
        assert len(attached.context.pages) == 1  # the check's tab is closed again


async def test_a_page_that_does_not_load_in_time_is_a_navigation_failure(
    chromium_server_factory: Callable[..., ChromiumServer], site: str, driver: Driver
) -> None:
    chromium = chromium_server_factory()
    async with driver.attach(chromium.url) as attached:
        with pytest.raises(NavigationFailed, match="did not load within 1 s"):
            await navigate(attached.page, f"{site}/slow", timeout_s=1)
        with pytest.raises(NavigationFailed, match="did not load"):
            await navigate(attached.page, f"http://127.0.0.1:{free_port()}/", timeout_s=5)


async def test_a_dead_browser_is_reported_as_gone(
    chromium_server_factory: Callable[..., ChromiumServer], driver: Driver
) -> None:
    chromium = chromium_server_factory()
    url = chromium.url
    await asyncio.to_thread(chromium.kill)
    with pytest.raises(BrowserGone, match="no browser answers"):
        async with driver.attach(url, timeout_s=2):
            pass
