"""A fresh nats-server per test: names never collide and a killed server harms no other test."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from autoapply.local.nats import NatsServer
from runtime.bus import Bus
from tests.support import unique


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def bus(nats: NatsServer) -> AsyncIterator[Bus]:
    """A connected bus (streams declared); subscribe then call start() in the test."""
    instance = Bus([nats.url], unique("bus"))
    await instance.connect()
    try:
        yield instance
    finally:
        await instance.close()
