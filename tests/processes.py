"""Starting the project's own processes (services, test workers) from tests, and stopping them."""

import asyncio
import contextlib
import os
import secrets
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import psutil

from autoapply.local.ports import free_port

ROOT = Path(__file__).resolve().parents[1]


class Child:
    """A process started from the repository root whose output goes to a log file."""

    def __init__(self, module: str, env: dict[str, str], log: Path, args: Sequence[str] = ()) -> None:
        self.log = log
        self.env = env
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._out,
        )

    def wait_for_line(self, text: str, timeout_s: float = 30.0) -> None:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                line = self.proc.stdout.readline().decode()
                if text in line:
                    return
                if not line and self.proc.poll() is not None:
                    break
        raise AssertionError(f"{self.proc.args!r} did not print {text!r}; log:\n{self.tail()}")

    def tail(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> int:
        """SIGKILL, as a crash would."""
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(10)

    def stop(self, signalled: bool = False) -> int | None:
        """SIGTERM (unless `signalled`: a second one would end a graceful stop at once), then waits."""
        if self.proc.poll() is None:
            if not signalled:
                self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._out.close()
        return self.proc.returncode


def stop_all(children: Sequence[Child]) -> list[int | None]:
    """Stops them together (SIGTERM to all, then the waits): each may take seconds to finish its work
    and close, and one after the other those seconds add up. Their exit codes, in order."""
    for child in children:
        if child.proc.poll() is None:
            child.proc.terminate()
    return [child.stop(signalled=True) for child in children]


def stop_strays(folder: Path, grace_s: float = 5.0) -> list[int]:
    """Ends every process whose command line names a path inside `folder`; their pids. A provisioner
    that outlived its stop's grace is killed before it stops its browsers, and on a loaded machine
    those Chromiums (their profiles inside the stack's folder) would run on for the rest of the suite."""
    inside = str(folder) + "/"  # as the paths were given to the processes, unresolved
    strays = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.pid != os.getpid() and any(inside in arg for arg in cmdline):
            strays.append(proc)
    for proc in strays:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(strays, timeout=grace_s)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    return [proc.pid for proc in strays]


def service_env(
    name: str, nats_url: str, dsn: str, redis_url: str, tmp_path: Path, instance: int = 1
) -> dict[str, str]:
    """The environment `autoapply up` gives a service, pointed at test servers."""
    return {
        "AUTOAPPLY_SERVICE": name,
        "AUTOAPPLY_INSTANCE": f"{name}-{instance}",
        "AUTOAPPLY_NATS_URL": nats_url,
        "AUTOAPPLY_DATABASE_URL": dsn,
        "AUTOAPPLY_REDIS_URL": redis_url,
        "AUTOAPPLY_HEALTH_PORT": str(free_port()),
        "AUTOAPPLY_HTTP_PORT": str(free_port()),
        "AUTOAPPLY_MODE": "sandbox",
        "AUTOAPPLY_DATA_DIR": str(tmp_path / "files"),
        "AUTOAPPLY_SECRET_KEY": secrets.token_hex(32),
        "AUTOAPPLY_REPLICAS": "1",
    }


async def wait_healthy(child: Child, timeout_s: float = 30.0) -> dict[str, object]:
    """Polls the service's health endpoint until it answers healthy; returns its answer."""
    url = f"http://127.0.0.1:{child.env['AUTOAPPLY_HEALTH_PORT']}/healthz"
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert child.proc.poll() is None, f"{child.proc.args!r} exited:\n{child.tail()}"
            try:
                answer = await client.get(url, timeout=2)
                if answer.status_code == 200:
                    return dict(answer.json())
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{child.proc.args!r} not healthy within {timeout_s} s:\n{child.tail()}")
