"""`autoapply up --cluster 3`: three nats-server nodes on loopback, every stream and durable at three
replicas as the servers report them, services given every node, `status` naming the leaders, and
`down` leaving nothing behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import nats
import psutil
import pytest

from autoapply.local import pgroot
from autoapply.local.procs import PidRecord
from contracts.streams import EVENTS_STREAM
from tests.stack.helpers import assert_gone, autoapply, process_tree

# Three nodes, PostgreSQL, Redis and one service: about 15 s idle; a loaded machine needs more.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
NODES = 3
# Only intake runs: it declares the streams' consumers it reads, which is what this test checks.
ONLY_INTAKE = ["--instances", "provisioner=0", "executor=0", "verifier=0", "takeover=0"]


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "stack"
    yield home
    autoapply("down", "--home", str(home))  # also after a failure half-way
    state = home / "stack.json"
    parts = json.loads(state.read_text()).get("parts", {}) if state.exists() else {}
    if "postgres" in parts:  # as root PostgreSQL's data lives outside the test folder
        pgroot.remove_data_dir(Path(parts["postgres"]["data_dir"]), home / "data" / "postgres" / "pgdata")


def started_processes(home: Path) -> list[psutil.Process]:
    found = []
    for pid_file in (home / "run").glob("*.pid"):
        record = PidRecord.read(pid_file)
        assert record is not None
        found += process_tree(record.pid)
    return found


async def server_replicas(urls: list[str]) -> dict[str, int]:
    """Replicas of every stream and durable consumer, read back from the cluster."""
    client = await nats.connect(urls, connect_timeout=5)
    try:
        js = client.jetstream(timeout=10)
        found: dict[str, int] = {}
        for stream in await js.streams_info():
            found[stream.config.name or "?"] = stream.config.num_replicas or 1
            for consumer in await js.consumers_info(stream.config.name or ""):
                if consumer.config.durable_name:  # ephemeral consumers live on one node by design
                    found[f"{stream.config.name}/{consumer.name}"] = (
                        consumer.config.num_replicas or stream.config.num_replicas or 1
                    )
        return found
    finally:
        await client.close()


async def test_up_cluster_3_runs_every_stream_at_three_replicas(home: Path) -> None:
    up = autoapply("up", "--home", str(home), "--cluster", str(NODES), *ONLY_INTAKE)
    assert up.returncode == 0, up.stdout + up.stderr

    status = autoapply("status", "--home", str(home), "--json")
    report = json.loads(status.stdout)
    assert status.returncode == 0 and report["healthy"] is True, status.stdout
    nodes = [f"nats-{i}" for i in range(1, NODES + 1)]
    assert report["cluster"]["nodes"] == nodes and report["cluster"]["up"] == nodes
    assert report["cluster"]["meta_leader"] in nodes
    assert report["cluster"]["stream_leaders"][EVENTS_STREAM] in nodes
    assert report["parts"]["intake"]["instances"]["intake-1"]["healthy"] is True

    state = json.loads((home / "stack.json").read_text())
    urls = [state["parts"][node]["url"] for node in nodes]
    intake_env = state["parts"]["intake-1"]["env"]
    assert intake_env["AUTOAPPLY_NATS_URL"].split(",") == urls and intake_env["AUTOAPPLY_REPLICAS"] == "3"

    replicas = await server_replicas(urls)
    assert EVENTS_STREAM in replicas and f"{EVENTS_STREAM}/intake-read-model" in replicas, replicas
    assert set(replicas.values()) == {NODES}, replicas

    text = autoapply("status", "--home", str(home)).stdout
    assert f"{NODES} of {NODES} nodes up" in text and f"{EVENTS_STREAM} nats-" in text

    processes = started_processes(home)
    down = autoapply("down", "--home", str(home))
    assert down.returncode == 0 and all(node in down.stdout for node in nodes), down.stdout + down.stderr
    assert_gone(processes, within_s=1.0)


def test_a_cluster_size_jetstream_cannot_run_is_refused(home: Path) -> None:
    refused = autoapply("up", "--home", str(home), "--cluster", "2")
    assert refused.returncode == 2 and "--cluster wants 1 (one node) or 3 or 5 nodes; got 2" in refused.stderr
    assert not list((home / "run").glob("*.pid"))  # nothing was started
