"""The stack's topology and start rules, without processes: switching between one node and a cluster
never leaves JetStream data behind; a service that exits while starting gets one more try."""

import time
from pathlib import Path

import pytest

from autoapply import stack as stack_module
from autoapply.local.cluster import ClusterNode
from autoapply.local.postgres import PostgresServer
from autoapply.local.procs import StartError
from autoapply.local.server import LocalServer
from autoapply.stack import PartReport, Stack, _start_one, cluster_size, nats_url

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


class FlakyService(LocalServer):
    """Exits while starting the first `failures` times, then starts."""

    name = "flaky-1"

    def __init__(self, directory: Path, failures: int, kind: str = "service") -> None:
        super().__init__(directory)
        self.failures, self._kind, self.tries = failures, kind, 0

    @property
    def kind(self) -> str:
        return self._kind

    def command(self) -> list[str]:
        return ["true"]

    def healthy(self) -> bool:
        return True

    def start(self, timeout_s: float = 30.0) -> bool:
        self.tries += 1
        if self.tries <= self.failures:
            raise StartError(f"{self.name} exited while starting (try {self.tries})")
        return True


def test_a_service_that_exits_while_starting_gets_one_more_try(tmp_path: Path) -> None:
    deadline = time.monotonic() + 30
    once = FlakyService(tmp_path / "a", failures=1)
    assert isinstance(_start_one(once, deadline), PartReport) and once.tries == 2
    always = FlakyService(tmp_path / "b", failures=5)
    failed = _start_one(always, deadline)
    assert isinstance(failed, StartError) and "try 2" in str(failed) and always.tries == 2
    server = FlakyService(tmp_path / "c", failures=1, kind="nats")  # servers are not retried
    assert isinstance(_start_one(server, deadline), StartError) and server.tries == 1


class _NoProcesses:
    """`Stack.up` with every start answered without a process: the services' start fails each time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.restarts: list[bool] = []
        monkeypatch.setattr(stack_module, "_start_all", self._start_all)
        monkeypatch.setattr(stack_module, "declare_streams", lambda *args: None)
        monkeypatch.setattr(PostgresServer, "ensure_database", lambda self, name: name)
        monkeypatch.setattr(Stack, "_stop_unwanted", lambda _, wanted, restart_all: self.restarts.append(restart_all))

    def _start_all(self, parts: list[LocalServer], deadline: float) -> list[PartReport]:
        if any(part.kind == "service" for part in parts):
            raise StartError("intake-1 was not healthy in time")
        return []


def test_an_up_after_a_failed_one_finds_the_sandbox_where_it_listens_and_restarts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The soak keeps one Stack through its faults, and its first `up` may fail on a loaded machine.
    fake = _NoProcesses(monkeypatch)
    stack = Stack(tmp_path)
    with pytest.raises(StartError):
        stack.up({"intake": 1}, sandbox=True, cluster=3)
    port = stack.load_state()["ports"]["sandbox"]
    with pytest.raises(StartError):
        stack.up()
    assert stack.load_state()["ports"]["sandbox"] == port
    # The first up switched to three nodes (nothing ran yet); later ones restart no service for it.
    assert fake.restarts == [True, False]
