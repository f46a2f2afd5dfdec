"""Switching a stack between one node and a cluster never leaves JetStream data behind (no processes)."""

from pathlib import Path

import pytest

from autoapply.local.cluster import ClusterNode
from autoapply.stack import Stack, cluster_size, nats_url

pytestmark = pytest.mark.unit


def test_a_cluster_is_three_nodes_routed_to_each_other_and_remembered(tmp_path: Path) -> None:
    stack = Stack(tmp_path)
    state: dict = {"ports": {}}
    stack.set_cluster(state, 3)
    nodes = stack.nats_nodes(state)
    assert cluster_size(state) == 3 and [n.name for n in nodes] == ["nats-1", "nats-2", "nats-3"]
    assert all(isinstance(n, ClusterNode) and n.kind == "nats" for n in nodes)
    routes = {f"nats-route://127.0.0.1:{n.cluster_port}" for n in nodes}  # type: ignore[attr-defined]
    assert all(route in nodes[0].config_text() for route in routes)
    assert len({n.port for n in nodes} | {n.monitor_port for n in nodes}) == 6
    assert nats_url(nodes).split(",") == [n.url for n in nodes]
    assert [n.port for n in stack.nats_nodes(state)] == [n.port for n in nodes]  # the same ports next time


def test_switching_away_from_a_store_with_data_is_refused_naming_it(tmp_path: Path) -> None:
    stack = Stack(tmp_path)
    state: dict = {"ports": {}}
    single = stack.nats_nodes(state)[0]
    (single.store_dir / "jetstream").mkdir(parents=True)
    with pytest.raises(ValueError, match="holds this stack's JetStream data"):
        stack.set_cluster(state, 3)
    assert cluster_size(state) == 1


def test_an_even_cluster_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="got 4"):
        Stack(tmp_path).set_cluster({"ports": {}}, 4)
