"""A three-node JetStream cluster on loopback: the stream leader is killed mid-publish; the bus
retries with the same Nats-Msg-Id through the failover and every acknowledged event is stored once."""

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from contracts.streams import EVENTS_STREAM
from runtime.bus import Bus
from tests.support import queued_event, unique

pytestmark = pytest.mark.chaos
NODES = 3


class ClusterNode(NatsServer):
    def __init__(self, directory: Path, name: str, cluster_port: int, routes: list[int]) -> None:
        super().__init__(directory, server_name=name)
        self.cluster_port, self.routes = cluster_port, routes

    def config_text(self) -> str:
        routes = ", ".join(json.dumps(f"nats-route://127.0.0.1:{port}") for port in self.routes)
        cluster = f'cluster {{\n  name: "c1"\n  listen: "127.0.0.1:{self.cluster_port}"\n  routes: [{routes}]\n}}\n'
        return super().config_text() + cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[ClusterNode]]:
    ports = [free_port() for _ in range(NODES)]
    nodes = [ClusterNode(tmp_path / f"n{i}", f"n{i}", port, ports) for i, port in enumerate(ports)]
    try:
        # A node reports healthy only once the cluster has formed, so all three start together.
        with ThreadPoolExecutor(NODES) as pool:
            list(pool.map(lambda node: node.start(), nodes))
        yield nodes
    finally:
        for node in nodes:
            node.stop()


async def test_publishes_survive_the_stream_leader_dying(cluster: list[ClusterNode]) -> None:
    bus = Bus([node.url for node in cluster], unique("publisher"), replicas=3)
    await _connect_when_meta_leader(bus)
    stored: list[str] = []
    try:
        for i in range(300):
            if i == 100:
                leader = (await bus.js.stream_info(EVENTS_STREAM)).cluster.leader  # type: ignore[union-attr]
                next(node for node in cluster if node.server_name == leader).kill()
            event = queued_event()
            await bus.publish(event)  # may take seconds during the election; never raises here
            stored.append(str(event.event_id))
        info = await bus.js.stream_info(EVENTS_STREAM)
    finally:
        await bus.close()
    assert len(stored) == 300
    assert info.state.messages == 300  # nothing acknowledged was lost, nothing stored twice
    assert info.cluster is not None and info.cluster.leader != leader


async def _connect_when_meta_leader(bus: Bus) -> None:
    # A fresh cluster elects its JetStream meta leader within a second; until then the API refuses.
    for _ in range(100):
        try:
            await bus.connect()
            return
        except Exception:
            await asyncio.sleep(0.1)
    await bus.connect()
