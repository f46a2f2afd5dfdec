"""Processes the provisioner starts beside itself (browsers, proxy relays, displays).

Each starts in a session of its own, so it outlives a provisioner that is killed: another instance
adopts the browser instead of the task losing it. A process is recognised by a marker in its
command line, so a pid the kernel has reused is never mistaken for ours.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

# A stopping browser gets this long to write its profile to disk before it is killed.
STOP_GRACE_S = 5.0


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


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
    """SIGTERM to the process group, SIGKILL after the grace; reaps our own children."""
    if not alive(pid, marker):
        _reap(pid)
        return
    assert pid is not None
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and alive(pid, marker):
        _reap(pid)
        time.sleep(0.05)
    if alive(pid, marker):
        _signal_group(pid, signal.SIGKILL)
    _reap(pid)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(os.getpgid(pid), sig)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(pid: int | None) -> None:
    if pid:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


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
