"""A three-node JetStream cluster on loopback under real service processes with their own settings
(AUTOAPPLY_REPLICAS=3): the events stream's leader is SIGKILLed while publishes are in flight and
restarted. Every acknowledged event is stored once, and applied exactly once by the read model of
two intake instances, counted in intake's own tables: its task_ledger counts every application
(events_seen), so a second apply of one event would show there. (The provisioner starts a real
browser per queued task, too heavy for this many tasks.)"""

import asyncio
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from contracts.streams import EVENTS_STREAM
from runtime.bus import Bus
from tests.processes import Child, service_env, stop_all, wait_healthy
from tests.support import eventually, queued_event, unique

# Under a minute on an idle two-core machine; a loaded one needs more than the default budget.
pytestmark = [pytest.mark.chaos, pytest.mark.timeout(180)]
NODES = 3
EVENTS = 160
PUBLISHERS = 16
KILL_AFTER_ACKS = 50
DOWN_S = 2.0


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


def _service(name: str, urls: str, dsn: str, redis_url: str, tmp_path: Path, instance: int) -> Child:
    env = {**service_env(name, urls, dsn, redis_url, tmp_path, instance), "AUTOAPPLY_REPLICAS": "3"}
    env["AUTOAPPLY_INSTANCES"] = "2"
    return Child(f"services.{name}", env, tmp_path / f"{name}-{instance}.log")


async def test_a_node_killed_under_running_services_loses_nothing_and_applies_each_event_once(
    cluster: list[ClusterNode], fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    urls = ",".join(node.url for node in cluster)
    children: list[Child] = []
    bus = Bus([node.url for node in cluster], unique("publisher"), replicas=3)
    acked: list[uuid.UUID] = []
    killed: list[ClusterNode] = []
    try:
        await _connect_when_meta_leader(bus)  # a service started before that exits, saying so
        for instance in (1, 2):  # one after the other: the first declares the streams at R3
            children.append(_service("intake", urls, fresh_database, redis_url, tmp_path, instance))
            await wait_healthy(children[-1], timeout_s=60)
        leader = await _stream_leader(bus, cluster)

        async def publisher(events: list[uuid.UUID]) -> None:
            for task_id in events:
                await bus.publish(queued_event(task_id=task_id))  # may wait out the election; never raises
                acked.append(task_id)
                if len(acked) >= KILL_AFTER_ACKS and not killed:
                    killed.append(leader)
                    leader.kill()  # SIGKILL with the other publishers' messages in flight

        tasks = [uuid.uuid4() for _ in range(EVENTS)]
        await asyncio.gather(*(publisher(tasks[i::PUBLISHERS]) for i in range(PUBLISHERS)))
        await asyncio.sleep(max(0.0, DOWN_S))
        await asyncio.to_thread(leader.start)  # back on its store; it catches up from the others
        info = await bus.js.stream_info(EVENTS_STREAM)
        conn = await asyncpg.connect(fresh_database)
        try:
            await eventually(lambda: _applied(conn, EVENTS), timeout_s=60, every_s=0.5)
            ledger = await conn.fetch("SELECT task_id, events_seen FROM intake.task_ledger")
            intake_tasks = {r["task_id"] for r in await conn.fetch("SELECT task_id FROM intake.tasks")}
            inbox = await conn.fetch("SELECT consumer, count(*) AS n FROM intake.processed_events GROUP BY 1")
        finally:
            await conn.close()
        replicas = await _replicas(bus)
        healthy = [await wait_healthy(child) for child in children]
    finally:
        stop_all(children)
        await bus.close()
    assert killed and len(acked) == EVENTS
    assert info.state.messages == EVENTS  # nothing acknowledged lost, nothing stored twice
    assert {r["task_id"] for r in ledger} == set(tasks) and {r["events_seen"] for r in ledger} == {1}
    assert intake_tasks == set(tasks)
    assert {r["consumer"]: r["n"] for r in inbox} == {"intake-read-model": EVENTS}
    assert set(replicas.values()) == {3}, replicas  # no service scaled anything down
    assert all(h["healthy"] for h in healthy)


async def _connect_when_meta_leader(bus: Bus) -> None:
    # A fresh cluster elects its JetStream meta leader within seconds; until then the API times out.
    for _ in range(100):
        try:
            await bus.connect()
            return
        except Exception:
            await asyncio.sleep(0.2)
    await bus.connect()


async def _stream_leader(bus: Bus, cluster: list[ClusterNode]) -> ClusterNode:
    info = await bus.js.stream_info(EVENTS_STREAM)
    assert info.cluster is not None
    return next(node for node in cluster if node.server_name == info.cluster.leader)


async def _applied(conn: asyncpg.Connection, n: int) -> bool:
    ledger = await conn.fetchval("SELECT count(*) FROM intake.task_ledger")
    tasks = await conn.fetchval("SELECT count(*) FROM intake.tasks")
    return bool(ledger == n and tasks == n)


async def _replicas(bus: Bus) -> dict[str, int]:
    """Replicas of the events stream and of every durable on it, as the servers report them."""
    info = await bus.js.stream_info(EVENTS_STREAM)
    found = {EVENTS_STREAM: info.config.num_replicas or 1}
    for consumer in await bus.js.consumers_info(EVENTS_STREAM):
        if not consumer.config.durable_name:
            continue  # ephemeral consumers (intake's live updates) live on one node by design
        found[consumer.name] = consumer.config.num_replicas or info.config.num_replicas or 1
    return found
