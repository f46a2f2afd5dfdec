"""The bus on a nats-server of the test's own (the project's stream names are fixed)."""

from collections.abc import AsyncIterator

import pytest

from autoapply.local.nats import NatsServer
from runtime.bus import Bus
from tests.support import unique


@pytest.fixture
async def bus(nats: NatsServer) -> AsyncIterator[Bus]:
    """A connected bus (streams declared); subscribe then call start() in the test."""
    instance = Bus([nats.url], unique("bus"))
    await instance.connect()
    try:
        yield instance
    finally:
        await instance.close()
