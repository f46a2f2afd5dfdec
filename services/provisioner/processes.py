"""Processes the provisioner starts beside itself (browsers, proxy relays, displays).

Each starts in a session of its own, so it outlives a provisioner that is killed: another instance
adopts the browser instead of the task losing it. A process is recognised by a marker in its
command line, so a pid the kernel has reused is never mistaken for ours.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

# A stopping browser gets this long to write its profile to disk before it is killed.
STOP_GRACE_S = 5.0
# Children this process started, kept until they are reaped (a dropped Popen of a live child warns).
_children: dict[int, subprocess.Popen[bytes]] = {}


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    _children[proc.pid] = proc
    return proc


def alive(pid: int | None, marker: str) -> bool:
    """The process runs, is not a zombie, and its command line contains `marker`."""
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and any(marker in arg for arg in proc.cmdline())
    except psutil.Error:
        return False


def stop(pid: int | None, marker: str, grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM to the process, SIGKILL to its group after the grace or once it is gone.

    The process alone is asked first: a browser then closes cleanly and writes its cookies, which
    its network process would not if the whole group were signalled at once.
    """
    if not alive(pid, marker):
        _reap(pid)
        return
    assert pid is not None
    group = _group(pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and alive(pid, marker):
        _reap(pid)
        time.sleep(0.05)
    if group is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)  # what is left of it: renderers, a hung browser
    _reap(pid)


async def wait_gone(pid: int | None, marker: str, timeout_s: float) -> bool:
    """Waits for the process to exit by itself; True when it did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _reap(pid)
        if not alive(pid, marker):
            return True
        await asyncio.sleep(0.05)
    return False


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _reap(pid: int | None) -> None:
    proc = _children.get(pid or 0)
    if proc is not None and proc.poll() is not None:
        del _children[proc.pid]


def pss_mib(pid: int | None) -> float | None:
    """Proportional set size of the process and its descendants: shared pages counted once."""
    if not pid:
        return None
    try:
        root = psutil.Process(pid)
        total = 0
        for proc in [root, *root.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except psutil.Error:
                continue
        return round(total / 2**20, 1)
    except psutil.Error:
        return None
