"""Intake under load: 1,000 tasks submitted concurrently over loopback to a real intake on a real
nats-server, PostgreSQL and Redis; then a check that every accepted task reached the bus exactly once.

    ./dev bench intake [--tasks 1000] [--concurrency 32] [--users 20] [--cluster 3] [--instances 2]
                       [--profile FILE] [--latencies FILE]

With --cluster 3 the nats-server is a three-node JetStream cluster on loopback (every stream at
three replicas), as `autoapply up --cluster 3` runs it. With --instances 2 two intake processes
share the API's port (SO_REUSEPORT) and the read model's durable, so the API is not held to one
core.

Prints the figures, then one JSON line: accepted_per_s, p50_ms, p99_ms, errors, lost, duplicates,
and intake_cpu_ms_per_task (the intake processes' CPU per accepted task, which a loaded machine
changes far less than the rate).
Latency is measured per request from send to answer, with `concurrency` requests in flight.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import uvloop

from autoapply.local import NatsServer, PostgresServer, RedisServer, free_port
from autoapply.local.cluster import ClusterNode
from bench._cpu import CpuMeter
from bench._http import Connection, ProtocolError
from bench._report import emit, percentile
from tests.intake.bus import queued_counts
from tests.intake.documents import pdf

PASSWORD = "bench password, long enough"
# A request that gets no answer in this long counts as an error (TimeoutError), not a hang.
REQUEST_TIMEOUT_S = 30.0
ROOT = Path(__file__).resolve().parents[1]


def intake_env(
    nats: str, dsn: str, redis: str, folder: Path, replicas: int = 1, http_port: int = 0, instances: int = 1
) -> dict[str, str]:
    return {
        "AUTOAPPLY_SERVICE": "intake",
        "AUTOAPPLY_INSTANCE": "intake-bench",
        "AUTOAPPLY_NATS_URL": nats,
        "AUTOAPPLY_DATABASE_URL": dsn,
        "AUTOAPPLY_REDIS_URL": redis,
        "AUTOAPPLY_HEALTH_PORT": str(free_port()),
        "AUTOAPPLY_HTTP_PORT": str(http_port or free_port()),
        # Instances share the API's port (SO_REUSEPORT: the kernel spreads the connections) and
        # the read model's durable (its max_ack_pending counts them).
        "AUTOAPPLY_HTTP_REUSE_PORT": "true" if instances > 1 else "false",
        "AUTOAPPLY_INSTANCES": str(instances),
        "AUTOAPPLY_MODE": "sandbox",
        "AUTOAPPLY_DATA_DIR": str(folder / "files"),
        "AUTOAPPLY_SECRET_KEY": secrets.token_hex(32),
        "AUTOAPPLY_LOG_LEVEL": "WARNING",
        "AUTOAPPLY_REPLICAS": str(replicas),  # every node of the cluster, or the one nats-server
    }


@contextmanager
def nats_servers(folder: Path, nodes: int) -> Iterator[list[NatsServer]]:
    """One nats-server, or a cluster of `nodes` started side by side (each waits for the others)."""
    if nodes == 1:
        with NatsServer(folder / "nats") as single:
            yield [single]
        return
    ports = [(free_port(), free_port(), free_port()) for _ in range(nodes)]
    routes = [cluster for _, _, cluster in ports]
    cluster = [ClusterNode(folder / f"nats-{i}", i, ports[i - 1], routes) for i in range(1, nodes + 1)]
    with ExitStack() as stack:
        for node in cluster:
            stack.callback(node.stop)
        with ThreadPoolExecutor(nodes) as pool:
            list(pool.map(lambda node: node.start(), cluster))
        yield list(cluster)


async def healthy(url: str, proc: asyncio.subprocess.Process, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise SystemExit(f"intake exited with {proc.returncode}")
            try:
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("intake did not become healthy")


async def users(client: httpx.AsyncClient, dsn: str, count: int) -> list[dict[str, str]]:
    made = []
    for _ in range(count):
        email = f"bench-{uuid.uuid4().hex[:10]}@example.org"
        await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Bench"})
        tokens = (await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        await client.post("/api/v1/resumes", headers=auth, files={"file": ("cv.pdf", pdf())})
        made.append(auth)
        conn = await asyncpg.connect(dsn)
        try:  # the pro plan's 50 a day: 20 users make 1,000 tasks
            await conn.execute("UPDATE intake.users SET plan = 'pro' WHERE email = $1", email)
        finally:
            await conn.close()
    return made


async def submit(args: argparse.Namespace, base: str, auths: list[dict[str, str]]) -> dict[str, Any]:
    """`concurrency` keep-alive connections, each sending its next task as soon as it has an answer."""
    address = urlsplit(base)
    connections = [Connection(address.hostname or "127.0.0.1", address.port or 80) for _ in range(args.concurrency)]
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in connections:
        idle.put_nowait(conn)
    timeline: list[tuple[float, float, int]] = []  # (sent at, ms, status) of each answered request
    accepted: list[str] = []
    errors: Counter[str] = Counter()

    async def one(n: int) -> None:
        auth = {**auths[n % len(auths)], "Content-Type": "application/json"}
        body = json.dumps({"job_url": f"https://jobs.example.org/b/{n}"}).encode()
        conn = await idle.get()
        try:
            began = time.perf_counter()
            answer = await asyncio.wait_for(conn.post("/api/v1/tasks", body, auth), REQUEST_TIMEOUT_S)
            timeline.append((began, (time.perf_counter() - began) * 1000, answer.status))
        except (OSError, asyncio.IncompleteReadError, ProtocolError) as exc:
            errors[type(exc).__name__] += 1
            return
        finally:
            idle.put_nowait(conn)
        if answer.status == 201:
            accepted.append(json.loads(answer.body)["task_id"])
        else:
            errors[str(answer.status)] += 1

    try:
        # Every connection open before the clock starts (a run measures a server at work, not 32
        # handshakes in its first instant), and the path warmed by a few tasks.
        await asyncio.gather(*(conn.connect() for conn in connections))
        await asyncio.gather(*(one(n) for n in range(min(args.concurrency, 8))))
        warm = list(accepted)
        accepted.clear()
        timeline.clear()
        began = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(8, 8 + args.tasks)))
        elapsed = time.perf_counter() - began
    finally:
        while not idle.empty():
            await idle.get_nowait().close()
    if args.latencies is not None:  # one line per request: sent at (ms from the first), latency, status
        with args.latencies.open("w") as out:
            for sent, ms, status in sorted(timeline):
                out.write(f"{(sent - began) * 1000:.1f} {ms:.1f} {status}\n")
    latencies = [ms for _, ms, _ in timeline]
    return {"accepted": accepted, "warm": warm, "latencies": latencies, "errors": errors, "elapsed": elapsed}


async def start_intake(env: dict[str, str], log: IO[bytes]) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.intake", cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log
    )
    try:
        await healthy(f"http://127.0.0.1:{env['AUTOAPPLY_HEALTH_PORT']}/healthz", proc)
    except BaseException:
        proc.terminate()
        raise
    return proc


def intake_groups(procs: list[asyncio.subprocess.Process]) -> dict[str, int]:
    """`intake` for one instance (as the figures of earlier runs say), `intake-1`... for several."""
    if len(procs) == 1:
        return {"intake": procs[0].pid}
    return {f"intake-{i}": proc.pid for i, proc in enumerate(procs, 1)}


def profile(out: Path | None, pid: int | None) -> subprocess.Popen[bytes] | None:
    """py-spy sampling intake while the tasks come in (a tool on PATH, not a dependency)."""
    if out is None or pid is None:
        return None
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy on PATH (pip install py-spy)")
    command = [spy, "record", "--pid", str(pid), "--rate", "250", "--format", "raw", "--output", str(out)]
    return subprocess.Popen([*command, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profile(spy: subprocess.Popen[bytes] | None) -> None:
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        spy.wait(30)


async def drained(dsn: str, accepted: list[str], timeout_s: float = 300) -> None:
    """Until the outbox is empty and intake's read model holds every accepted task: the CPU a task
    costs includes the relay's publishing and intake's projection of its own task.queued."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout_s
        while await conn.fetchval(
            "SELECT (SELECT count(*) FROM intake.outbox WHERE sent_at IS NULL) "
            "+ $2 - (SELECT count(*) FROM intake.tasks WHERE task_id = ANY($1::uuid[]))",
            accepted,
            len(accepted),
        ):
            if time.monotonic() > deadline:
                raise SystemExit("the outbox or the read model did not catch up")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    with (
        nats_servers(folder, args.cluster) as nodes,
        RedisServer(folder / "redis") as redis,
        PostgresServer(folder / "pg", settings={"fsync": "on" if args.fsync else "off"}) as pg,
    ):
        dsn = pg.ensure_database("bench_intake")
        urls = ",".join(node.url for node in nodes)
        port = free_port()
        secret = secrets.token_hex(32)  # every instance accepts every instance's tokens
        envs = [
            intake_env(urls, dsn, redis.url_for(1), folder, len(nodes), port, args.instances)
            | {"AUTOAPPLY_INSTANCE": f"intake-bench-{i}", "AUTOAPPLY_SECRET_KEY": secret}
            for i in range(1, args.instances + 1)
        ]
        log = (folder / "intake.log").open("wb")
        procs = []
        try:
            for env in envs:  # one after the other: the first migrates, the others find it done
                procs.append(await start_intake(env, log))
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                auths = await users(client, dsn, args.users)
            # CPU seconds each process spent from the first task in to the last one on the bus:
            # unlike the rate, this hardly depends on what else the machine runs, so before/after
            # compares fairly.
            servers = {"postgres": pg.pid, "redis": redis.pid, **{f"nats-{i}": n.pid for i, n in enumerate(nodes)}}
            meter = CpuMeter({**intake_groups(procs), **servers})
            profiler = profile(args.profile, procs[0].pid)
            meter.start()
            result = await submit(args, base, auths)
            await drained(dsn, result["accepted"])
            cpu = meter.per_task_ms(len(result["accepted"]))
            stop_profile(profiler)
            counts = await queued_counts(nodes[0].url)
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.terminate()
            for proc in procs:
                await asyncio.wait_for(proc.wait(), 20)
            log.close()
            if any(proc.returncode not in (0, None) for proc in procs):
                print((folder / "intake.log").read_text(errors="replace")[-3000:], file=sys.stderr)
    if result["errors"]:  # the folder goes away with the run: say why requests failed now
        lines = (folder / "intake.log").read_text(errors="replace").splitlines()
        first = next((i for i, line in enumerate(lines) if "ERROR" in line), len(lines))
        print("\n".join(lines[first : first + 40]), file=sys.stderr)
    accepted = result["accepted"]
    lost = sum(1 for task_id in accepted if counts.get(task_id, 0) == 0)
    duplicates = sum(1 for task_id in accepted if counts.get(task_id, 0) > 1)
    return {
        "tasks": args.tasks,
        "fsync": args.fsync,
        "nats_nodes": args.cluster,
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
        "concurrency": args.concurrency,
        "accepted": len(accepted),
        "accepted_per_s": round(len(accepted) / result["elapsed"], 1),
        "p50_ms": round(percentile(result["latencies"], 50), 1),
        "p99_ms": round(percentile(result["latencies"], 99), 1),
        # What one accepted task costs intake's process in CPU (its relay's publishing and its read
        # model included), every process's share, and the rate two idle cores could sustain at
        # the whole path's cost.
        "instances": args.instances,
        "intake_cpu_ms_per_task": round(sum(v for k, v in cpu.items() if k.startswith("intake")), 2),
        "cpu_ms_per_task": cpu,
        "two_core_ceiling_per_s": round(2000 / cpu["total"], 1) if cpu["total"] else None,
        "errors": sum(result["errors"].values()),
        "error_kinds": dict(result["errors"]),
        "lost": lost,
        "duplicates": duplicates,
        "on_bus": sum(counts.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--users", type=int, default=21)
    # A commit waits for the disk by default, as in production; --no-fsync shows what the code
    # costs apart from the disk (the tests run PostgreSQL that way).
    parser.add_argument("--fsync", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--cluster", type=int, default=1, choices=(1, 3, 5), help="nats-server nodes (default 1)")
    parser.add_argument("--profile", type=Path, help="write py-spy's collapsed stacks of intake to this file")
    parser.add_argument("--latencies", type=Path, help="write each request's send time, latency and status here")
    parser.add_argument("--instances", type=int, default=1, help="intake processes sharing the port (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as folder:
        os.chmod(folder, 0o755)  # PostgreSQL runs as its own user and must reach its data folder
        before = round(os.getloadavg()[0], 2)  # the machine is shared: the figures depend on it
        # The client on libuv's loop, as intake runs: the load generator shares the two cores.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            figures = {"load_avg_1m_before": before, **runner.run(run(args, Path(folder)))}
    for key, value in figures.items():
        print(f"{key:>16}: {value}")
    emit(figures)


if __name__ == "__main__":
    main()
