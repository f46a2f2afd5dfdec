"""The local stack: nats-server, PostgreSQL, Redis and the five services under one folder.

Layout of the folder (see docs/operations.md): logs/*.log, run/*.pid, data/, stack.json (ports,
urls, pids), secrets.env (mode 0600). Ports are chosen at the first `up` and reused after that.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoapply import demo_model
from autoapply.local import orphans, procs, stopping
from autoapply.local.cluster import CLUSTER_SIZES, ClusterNode, declare_streams, node_name
from autoapply.local.describe import describe, where
from autoapply.local.nats import NatsServer
from autoapply.local.ports import LOOPBACK, free_port, port_is_free
from autoapply.local.postgres import PostgresServer
from autoapply.local.procs import PidRecord, StartError
from autoapply.local.redis import RedisServer
from autoapply.local.sandbox_site import SandboxSite
from autoapply.local.server import LocalServer
from autoapply.local.services import DATABASE, HTTP_SERVICES, SERVICES, ServiceInstance, Wiring, instance_name
from autoapply.local.traces_site import TraceExplorer

HOME_ENV = "AUTOAPPLY_HOME"
DEFAULT_HOME = Path("var") / "stack"
# `up` gives the whole stack this long to become healthy (a cold start takes a few seconds).
UP_DEADLINE_S = 60.0
# More instances than this of one service on one machine is a typo, not a plan.
MAX_INSTANCES = 16
# Another `up` or `down` on the same folder may hold the lock for about as long as an `up` takes.
LOCK_WAIT_S = UP_DEADLINE_S + 10.0
# Services stop first (they hold connections), then the servers they use.
STOP_ORDER = {"service": 0, "sandbox": 0, "traces": 0, "redis": 1, "postgres": 2, "nats": 3}
# A service that exits while starting is started once more before `up` gives up (see _start_one).
SERVICE_START_TRIES = 2
# One nats-server, or a JetStream cluster of this many nodes (`up --cluster N`).
SINGLE_NODE = 1


def cluster_size(state: dict[str, Any]) -> int:
    return int(state.get("cluster") or SINGLE_NODE)


def nats_url(nodes: Sequence[NatsServer]) -> str:
    """Every node's URL, comma-separated: the services' client fails over between them."""
    return ",".join(node.url for node in nodes)


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).absolute()


@dataclass(frozen=True)
class PartReport:
    name: str
    started: bool
    seconds: float
    detail: str


class Stack:
    def __init__(self, home: Path, *, readonly: bool = False) -> None:
        # A readonly stack (for `status`) uses the remembered ports as they are and never picks new ones.
        self.readonly = readonly
        self.home = Path(home).absolute()
        self.logs = self.home / "logs"
        self.run = self.home / "run"
        self.data = self.home / "data"
        self.state_file = self.home / "stack.json"
        self.secrets_file = self.home / "secrets.env"
        self._moved: set[str] = set()

    # Remembered state.
    def load_state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {"ports": {}, "instances": {}}
        try:
            state: dict[str, Any] = json.loads(self.state_file.read_text())
        except ValueError as exc:
            raise ValueError(f"{self.state_file} is not valid JSON ({exc}); fix or delete it") from exc
        return state

    def save_state(self, state: dict[str, Any]) -> None:
        tmp = self.state_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.state_file)

    def secret_key(self) -> str:
        """The stack's AUTOAPPLY_SECRET_KEY, generated once and kept in secrets.env (0600)."""
        if not self.secrets_file.exists():
            fd = os.open(self.secrets_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(f"AUTOAPPLY_SECRET_KEY={secrets.token_hex(32)}\n")
        for line in self.secrets_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "AUTOAPPLY_SECRET_KEY" and value.strip():
                return value.strip()
        raise ValueError(f"{self.secrets_file} has no AUTOAPPLY_SECRET_KEY line")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One `up` or `down` at a time per folder."""
        self.run.mkdir(parents=True, exist_ok=True)
        with open(self.run / "stack.lock", "w") as lock:
            deadline = time.monotonic() + LOCK_WAIT_S
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"another autoapply up/down holds {self.run / 'stack.lock'}") from None
                    time.sleep(0.2)
            yield

    # The parts.
    def _port(self, state: dict[str, Any], key: str, owner: str, *others: str) -> int:
        """The remembered port for key, unless it is taken by someone other than our running owners."""
        ports: dict[str, int] = state.setdefault("ports", {})
        remembered = ports.get(key)
        if self.readonly:
            return int(remembered or 0)
        owner_runs = any(self._record_alive(self.run / f"{name}.pid") for name in (owner, *others))
        if remembered is None or not (owner_runs or port_is_free(remembered)):
            if remembered is not None:
                self._moved.update((owner, *others))
            ports[key] = free_port()
        return int(ports[key])

    def _record_alive(self, pid_file: Path) -> bool:
        try:
            record = PidRecord.read(pid_file)
        except ValueError:
            return False
        return record is not None and procs.find_ours(record) is not None

    def _log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def _pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def nats(self, state: dict[str, Any]) -> NatsServer:
        return NatsServer(
            self.data / "nats",
            self._port(state, "nats", "nats"),
            self._port(state, "nats_monitor", "nats"),
            log=self._log("nats"),
            pid_file=self._pid_file("nats"),
        )

    def nats_nodes(self, state: dict[str, Any]) -> list[NatsServer]:
        """The single nats-server, or every node of the stack's cluster."""
        size = cluster_size(state)
        if size == SINGLE_NODE:
            return [self.nats(state)]
        names = [node_name(i) for i in range(1, size + 1)]
        ports = [
            (self._port(state, n, n), self._port(state, f"{n}_monitor", n), self._port(state, f"{n}_cluster", n))
            for n in names
        ]
        routes = [route for _, _, route in ports]
        return [
            ClusterNode(self.data / n, i, ports[i - 1], routes, log=self._log(n), pid_file=self._pid_file(n))
            for i, n in enumerate(names, start=1)
        ]

    def set_cluster(self, state: dict[str, Any], size: int) -> None:
        """Switch between one node and a cluster; refused while the other topology's servers run or hold data."""
        if size != SINGLE_NODE and size not in CLUSTER_SIZES:
            raise ValueError(
                f"--cluster wants {SINGLE_NODE} (one node) or {' or '.join(map(str, CLUSTER_SIZES))} nodes; got {size}"
            )
        if size == cluster_size(state):
            return
        for node in self.nats_nodes(state):
            if self._record_alive(node.pid_file):
                raise ValueError(f"{node.name} runs as part of the current topology; `autoapply down` first")
            if node.store_dir.is_dir() and any(node.store_dir.iterdir()):
                # The events of tasks in flight live there: switching would leave them behind.
                raise ValueError(
                    f"{node.store_dir} holds this stack's JetStream data; switching to "
                    f"{size} node(s) would leave it behind: use another --home, or delete it if it is expendable"
                )
        state["cluster"] = size
        self._moved.add("nats")  # every service restarts with the new URLs

    def postgres(self, state: dict[str, Any]) -> PostgresServer:
        return PostgresServer(
            self.data / "postgres",
            self._port(state, "postgres", "postgres"),
            log=self._log("postgres"),
            pid_file=self._pid_file("postgres"),
        )

    def redis(self, state: dict[str, Any]) -> RedisServer:
        return RedisServer(
            self.data / "redis",
            self._port(state, "redis", "redis"),
            log=self._log("redis"),
            pid_file=self._pid_file("redis"),
        )

    def sandbox(self, state: dict[str, Any]) -> SandboxSite | None:
        """The job sites, when this stack runs in demo mode (`up --sandbox`)."""
        if not state.get("sandbox"):
            return None
        return SandboxSite(
            self.data / "sandbox",
            self._port(state, "sandbox", "sandbox"),
            self._port(state, "sandbox_smtp", "sandbox"),
            log=self._log("sandbox"),
            pid_file=self._pid_file("sandbox"),
        )

    def trace_explorer(self, state: dict[str, Any]) -> TraceExplorer | None:
        """The local trace explorer, when `autoapply traces` turned it on."""
        if not state.get("traces"):
            return None
        return TraceExplorer(
            self.data / "traces",
            self._port(state, "traces", "traces"),
            log=self._log("traces"),
            pid_file=self._pid_file("traces"),
        )

    def infra(self, state: dict[str, Any]) -> tuple[list[NatsServer], PostgresServer, RedisServer]:
        return self.nats_nodes(state), self.postgres(state), self.redis(state)

    def instances(self, state: dict[str, Any], wiring: Wiring) -> list[ServiceInstance]:
        # Every intake instance serves the API on intake-1's port, which is ours while any of them runs.
        count = max(1, int(state["instances"].get("intake", 1)))
        intakes = [instance_name("intake", i) for i in range(1, count + 1)]
        api_port = self._port(state, f"{intakes[0]}.http", *intakes)
        intake_url = f"http://{LOOPBACK}:{api_port}"
        smtp = self._port(state, "sandbox_smtp", "sandbox") if state.get("sandbox") else None
        takeover = instance_name("takeover", 1)
        takeover_url = f"http://{LOOPBACK}:{self._port(state, f'{takeover}.http', takeover)}"
        wiring = dataclasses.replace(wiring, intake_url=intake_url, smtp_port=smtp, takeover_url=takeover_url)
        made = []
        for service in SERVICES:
            count = int(state["instances"].get(service, 1))
            for index in range(1, count + 1):
                name = instance_name(service, index)
                http = None
                if service == "intake":
                    http = api_port
                elif service in HTTP_SERVICES:
                    http = self._port(state, f"{name}.http", name)
                made.append(
                    ServiceInstance(
                        service,
                        index,
                        wiring,
                        health_port=self._port(state, f"{name}.health", name),
                        http_port=http,
                        cwd=self.home,
                        log=self._log(name),
                        pid_file=self._pid_file(name),
                        peers=count,
                    )
                )
        return made

    def wiring(
        self, nats: Sequence[NatsServer], pg: PostgresServer, redis: RedisServer, traces: TraceExplorer | None = None
    ) -> Wiring:
        return Wiring(
            nats_url=nats_url(nats),
            # Every stream and consumer on every node: a cluster survives losing a minority of them.
            replicas=len(nats),
            database_url=pg.dsn(DATABASE),
            redis_url=redis.url_for(0),
            data_dir=self.browsers.parent,
            secret_key=self.secret_key(),
            otlp_traces_url=traces.otlp_traces_url if traces else None,
            traces_url=traces.url if traces else None,
        )

    # Commands.
    def up(
        self,
        counts: dict[str, int] | None = None,
        sandbox: bool | None = None,
        traces: bool | None = None,
        cluster: int | None = None,
    ) -> list[PartReport]:
        """Start whatever is not running and wait until every part is healthy (or raise StartError)."""
        deadline = time.monotonic() + UP_DEADLINE_S
        # What moved is this call's finding: a Stack kept across calls (the soak's chaos loop) would
        # otherwise restart every service at every later `up` for a move made long ago.
        self._moved.clear()
        for folder in (self.logs, self.run, self.data):
            folder.mkdir(parents=True, exist_ok=True)
        state = self.load_state()
        state["instances"] = {**{s: 1 for s in SERVICES}, **state.get("instances", {}), **(counts or {})}
        if sandbox is not None:
            state["sandbox"] = sandbox
        # Services learn where to send spans from their environment: a change restarts them.
        retrace = traces is not None and bool(state.get("traces")) != traces
        if traces is not None:
            state["traces"] = traces
        if cluster is not None:
            self.set_cluster(state, cluster)
        # The executor learns the model's key and budget from its environment: a change restarts them.
        model = demo_model.fingerprint(os.environ)
        remodel = state.get("model", model) != model
        state["model"] = model
        nats, pg, redis = self.infra(state)
        explorer = self.trace_explorer(state)
        services = self.instances(state, self.wiring(nats, pg, redis, explorer))
        self.save_state(state)  # the ports are remembered even if this start fails
        # The nodes of a cluster start side by side: each is healthy only once a majority has joined.
        reports = _start_all([*nats, pg, redis, *([explorer] if explorer else [])], deadline)
        if len(nats) > 1:
            declare_streams([node.url for node in nats], len(nats), deadline)
        try:
            pg.ensure_database(DATABASE)
        except (RuntimeError, OSError) as exc:
            raise StartError(f"postgres: cannot create the {DATABASE} database: {exc}") from exc
        moved = {_owner_kind(owner) for owner in self._moved}
        self._stop_unwanted({s.name for s in services}, restart_all=bool(moved & set(STOP_ORDER)) or retrace or remodel)
        site = self.sandbox(state)
        # Its ports too, before anything can fail: a later `up` adopts the running sandbox and
        # must probe the port it listens on, not a newly drawn one.
        self.save_state(state)
        for kind, part in (("sandbox", site), ("traces", explorer)):
            if part is None:
                self._stop_kind(kind)
        extra = [site] if site is not None else []
        reports += _start_all([*services, *extra], deadline)
        state["parts"] = describe([*nats, pg, redis, *services, *extra, *([explorer] if explorer else [])])
        self.save_state(state)
        return reports

    def _stop_unwanted(self, wanted: set[str], restart_all: bool) -> None:
        # Instances beyond the requested counts stop; when a server moved to a new port, every
        # running service restarts so that it is told the new address.
        for pid_file in self.run.glob("*.pid"):
            try:
                record = PidRecord.read(pid_file)
            except ValueError:
                continue  # not ours to judge; `down` reports it
            if record is not None and record.kind == "service" and (restart_all or record.name not in wanted):
                stopping.terminate(record, grace_s=ServiceInstance.stop_grace_s)
                pid_file.unlink(missing_ok=True)

    def _stop_kind(self, kind: str) -> None:
        for pid_file in self.run.glob("*.pid"):
            try:
                record = PidRecord.read(pid_file)
            except ValueError:
                continue
            if record is not None and record.kind == kind:
                stopping.terminate(record)
                pid_file.unlink(missing_ok=True)

    def down(self) -> list[tuple[str, str]]:
        """Stop every process this folder's pid files name (and only those); returns (name, outcome)."""
        records: list[tuple[Path, PidRecord | None]] = []
        for pid_file in sorted(self.run.glob("*.pid")):
            try:
                record = PidRecord.read(pid_file)
            except ValueError:
                records.append((pid_file, None))
                continue
            records.append((pid_file, record))
        results: list[tuple[str, str]] = []
        for rank in sorted(set(STOP_ORDER.values()) | {len(STOP_ORDER)}):
            batch = [(f, r) for f, r in records if _rank(r) == rank]
            with ThreadPoolExecutor(max_workers=max(1, len(batch))) as pool:
                results += list(pool.map(_stop_one, batch))
        # Last, when no provisioner is left to adopt or stop them: browsers no pid file names.
        swept = orphans.stop_leftovers(self.browsers)
        if swept:
            results.append(("browsers", f"stopped {swept} processes no provisioner had stopped"))
        return results

    @property
    def browsers(self) -> Path:
        """Where the provisioners' local browsers keep their profiles (the files folder's browsers/)."""
        return self.data / "files" / "browsers"


def _owner_kind(owner: str) -> str:
    # A cluster node's ports are remembered under its name (nats-2); it is a nats server all the same.
    return "nats" if owner.startswith("nats-") else owner


def _rank(record: PidRecord | None) -> int:
    return STOP_ORDER.get(record.kind, len(STOP_ORDER)) if record is not None else len(STOP_ORDER)


def _stop_one(item: tuple[Path, PidRecord | None]) -> tuple[str, str]:
    pid_file, record = item
    if record is None:
        return pid_file.stem, f"left alone: {pid_file} is not an autoapply pid file"
    grace = ServiceInstance.stop_grace_s if record.kind == "service" else stopping.DEFAULT_GRACE_S
    outcome = stopping.terminate(record, grace_s=grace)
    pid_file.unlink(missing_ok=True)
    if outcome == "not ours":
        outcome = f"stale pid file removed; pid {record.pid} belongs to another process, left alone"
    return record.name, outcome


def _start_all(parts: Sequence[LocalServer], deadline: float) -> list[PartReport]:
    """Start the parts side by side; the first failure (in the given order) is raised."""
    with ThreadPoolExecutor(max_workers=len(parts) or 1) as pool:
        outcomes = list(pool.map(lambda part: _start_one(part, deadline), parts))
    for outcome in outcomes:
        if isinstance(outcome, StartError):
            raise outcome
    return [o for o in outcomes if isinstance(o, PartReport)]


def _start_one(part: LocalServer, deadline: float) -> PartReport | StartError:
    began = time.monotonic()
    # A service that exits while starting gets one more try: on a cluster that has just formed, the
    # JetStream API can time out while ten instances declare their replicated consumers at once
    # (seen on a loaded machine); an orchestrator would restart it the same way.
    tries = SERVICE_START_TRIES if part.kind == "service" else 1
    for attempt in range(1, tries + 1):
        try:
            spawned = part.start(timeout_s=max(1.0, deadline - time.monotonic()))
        except StartError as exc:  # already names the part and carries its log tail
            if attempt == tries or time.monotonic() >= deadline:
                return exc
            continue
        except (OSError, RuntimeError, ValueError) as exc:
            return StartError(f"{part.name}: {exc}")
        return PartReport(part.name, spawned, time.monotonic() - began, where(part))
    raise AssertionError("unreachable: the last try returns")
