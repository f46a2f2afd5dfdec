"""Browsers that outlived their provisioner: found by the stack's own browser folder, and stopped.

A provisioner stops its browsers when it stops cleanly, and each browser runs in a session of its
own so that it outlives a provisioner that is killed (another instance adopts it). A browser
started just as its provisioner went down, or held by an instance killed while nobody else was
left to adopt it, is recorded in no pid file: `down` finds it by the folder its command line
names (`--user-data-dir=<stack>/data/files/browsers/<profile>/profile`; its proxy relay names the
profile's folder too) and stops it with its whole process group (renderers, zygotes, helpers).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil

# A leftover browser gets this long after SIGTERM to write its profile, then its group is killed.
GRACE_S = 3.0


def leftovers(root: Path) -> list[psutil.Process]:
    """Running processes whose command line names a folder under root."""
    marker = str(root.absolute()) + os.sep
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if proc.pid != os.getpid() and any(marker in arg for arg in proc.info["cmdline"] or ()):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def stop_leftovers(root: Path) -> int:
    """Stops every process under root and its process group; returns how many were found."""
    found = leftovers(root)
    groups = {g for g in map(_group, found) if g is not None} - {os.getpgrp()}
    for proc in found:
        _signal(proc, signal.SIGTERM)
    _, alive = psutil.wait_procs(found, timeout=GRACE_S)
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)  # renderers and helpers of the browser too
        except (ProcessLookupError, PermissionError):
            continue
    for proc in alive:
        _signal(proc, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=GRACE_S)
    return len(found)


def _group(proc: psutil.Process) -> int | None:
    try:
        return os.getpgid(proc.pid)
    except (ProcessLookupError, PermissionError):
        return None


def _signal(proc: psutil.Process, sig: int) -> None:
    try:
        proc.send_signal(sig)
    except psutil.Error:
        pass
