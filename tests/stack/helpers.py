"""Checks shared by the stack tests: which processes a server has, and that they are all gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from autoapply.local.server import LocalServer


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def server_tree(server: LocalServer) -> list[psutil.Process]:
    assert server.pid is not None, f"{server.name} is not running"
    return process_tree(server.pid)


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running; a zombie whose threads have all exited counts as gone (its parent reaps it)."""
    left = []
    for proc in procs:
        try:
            if proc.is_running() and (proc.status() != psutil.STATUS_ZOMBIE or proc.num_threads() > 1):
                left.append(proc)
        except psutil.NoSuchProcess:
            continue
    return left


def assert_gone(procs: list[psutil.Process], within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while alive(procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = alive(procs)
    assert not left, f"processes left behind: {[(p.pid, p.name()) for p in left]}"


ROOT = Path(__file__).resolve().parents[2]
# A cold `up` must finish within its own 60 s deadline; the rest is process start-up slack.
CLI_TIMEOUT_S = 90.0


def autoapply(
    *args: str, timeout_s: float = CLI_TIMEOUT_S, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, from the checkout, with no standard input."""
    return subprocess.run(
        [sys.executable, "-m", "autoapply.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
        env={**_runner_environment(), **(env or {})},
        check=False,
    )


def _runner_environment() -> dict[str, str]:
    """The runner's environment without a model key of its own: a real ANTHROPIC_API_KEY on the
    machine would switch the demo's model on in every stack test; a test that wants the model
    passes its own (tests/stack/test_demo_model.py)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
