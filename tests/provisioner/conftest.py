"""The provisioner's test servers: an echo endpoint and an authenticating HTTP proxy, real processes."""

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from runtime.bus import Bus
from tests.processes import Child
from tests.provisioner.helpers import Events
from tests.support import unique

# The proxy connects out from this loopback address, so the exit IP differs from a direct call's.
PROXY_EXIT_IP = "127.0.0.2"


@dataclass
class ProxyServer:
    child: Child
    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return f"http://{self.user}:{self.password}@127.0.0.1:{self.port}"


@pytest.fixture
def echo_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    child = Child("tests.provisioner.netservers", {}, tmp_path / "echo.log", args=["echo", str(port)])
    try:
        child.wait_for_line("ready")
        yield f"http://127.0.0.1:{port}/ip"
    finally:
        child.stop()


@pytest.fixture
def proxy_factory(tmp_path: Path) -> Iterator[Callable[[], ProxyServer]]:
    made: list[ProxyServer] = []

    def start() -> ProxyServer:
        port, n = free_port(), len(made) + 1
        user, password = f"user{n}", f"pa:ss@{n}"
        child = Child(
            "tests.provisioner.netservers",
            {},
            tmp_path / f"proxy-{n}.log",
            args=["proxy", str(port), user, password, PROXY_EXIT_IP],
        )
        child.wait_for_line("ready")
        made.append(ProxyServer(child, port, user, password))
        return made[-1]

    try:
        yield start
    finally:
        for proxy in made:
            proxy.child.stop()


# The bus and a watcher of every event, on the session's nats-server, for the service tests.
@pytest.fixture
async def events(nats: NatsServer) -> AsyncIterator[Events]:
    watcher = await Events().start(nats.url)
    yield watcher
    await watcher.close()


@pytest.fixture
async def bus(nats: NatsServer) -> AsyncIterator[Bus]:
    b = Bus([nats.url], unique("test"))
    await b.connect()
    yield b
    await b.close()
