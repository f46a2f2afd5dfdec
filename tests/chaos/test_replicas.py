"""Replicas come from settings, and no service scales a stream or consumer down: on a three-node
cluster, a service configured for one replica refuses to start and leaves R3 as it is."""

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from contracts.envelope import Event
from contracts.streams import DEAD_LETTER_STREAM, EVENTS_STREAM, OUTAGE_STREAM
from runtime import streams
from runtime.bus import Bus, Delivery
from runtime.errors import RefusedToStart
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.chaos
NODES = 3


class Node(NatsServer):
    def __init__(self, directory: Path, name: str, cluster_port: int, routes: list[int]) -> None:
        super().__init__(directory, server_name=name)
        self.cluster_port, self.routes = cluster_port, routes

    def config_text(self) -> str:
        routes = ", ".join(json.dumps(f"nats-route://127.0.0.1:{port}") for port in self.routes)
        cluster = f'cluster {{\n  name: "r3"\n  listen: "127.0.0.1:{self.cluster_port}"\n  routes: [{routes}]\n}}\n'
        return super().config_text() + cluster


@pytest.fixture
def three_nodes(tmp_path: Path) -> Iterator[list[Node]]:
    ports = [free_port() for _ in range(NODES)]
    nodes = [Node(tmp_path / f"n{i}", f"n{i}", port, ports) for i, port in enumerate(ports)]
    try:
        with ThreadPoolExecutor(NODES) as pool:  # a node is healthy only once the cluster formed
            list(pool.map(lambda node: node.start(), nodes))
        yield nodes
    finally:
        for node in nodes:
            node.stop()


async def _connected(bus: Bus) -> None:
    for _ in range(100):  # the meta leader is elected within a second or so
        try:
            await bus.connect()
            return
        except RefusedToStart:
            raise
        except Exception:
            await asyncio.sleep(0.1)
    await bus.connect()


async def test_a_service_configured_for_fewer_replicas_refuses_to_scale_the_cluster_down(
    three_nodes: list[Node],
) -> None:
    urls = [node.url for node in three_nodes]
    spec = queued_spec()
    seen: list[Event] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        seen.append(event)

    r3 = Bus(urls, unique("r3"), replicas=3)
    r3.subscribe(spec, handle)
    await _connected(r3)
    await r3.start()
    r1 = Bus(urls, unique("r1"), replicas=1)
    r1.subscribe(spec, handle)
    try:
        with pytest.raises(RefusedToStart) as refused:
            await r1.start()
        message = str(refused.value)
        assert "has 3 replicas" in message and "AUTOAPPLY_REPLICAS=3" in message and EVENTS_STREAM in message
        for name in (EVENTS_STREAM, DEAD_LETTER_STREAM, OUTAGE_STREAM):
            assert (await r3.js.stream_info(name)).config.num_replicas == 3
        consumer = await r3.js.consumer_info(EVENTS_STREAM, spec.durable)
        assert consumer.config.num_replicas == 3 and consumer.cluster is not None
        assert len(consumer.cluster.replicas or []) == 2
        with pytest.raises(RefusedToStart, match=f"consumer {spec.durable} has 3 replicas"):
            await streams.declare_consumer(r3.js, spec, EVENTS_STREAM, replicas=1)
        await r3.publish(queued_event())
        await eventually(lambda: len(seen) == 1)  # the R3 service goes on
    finally:
        await r1.close()
        await r3.close()
