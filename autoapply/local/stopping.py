"""Stopping the processes we started: by their stop signal, then SIGKILL, children and group too."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence

import psutil

from autoapply.local.procs import POLL_INTERVAL_S, PidRecord, find_ours, reap_if_child

# How long a process gets to exit after its stop signal before it and its group are killed.
DEFAULT_GRACE_S = 10.0
# Children left behind by a stopped process (a service's browser) get this long after SIGTERM.
LEFTOVER_GRACE_S = 3.0


def _group_members(pgid: int) -> list[psutil.Process]:
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid:
                members.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _signal_all(procs: Sequence[psutil.Process], sig: int) -> None:
    for proc in procs:
        try:
            proc.send_signal(sig)
        except psutil.Error:
            pass


def terminate(record: PidRecord, grace_s: float = DEFAULT_GRACE_S, sig: int | None = None) -> str:
    """Stop the recorded process and everything it started; returns what happened.

    "not running" and "not ours" leave every process untouched. Otherwise the process gets its stop
    signal, then SIGKILL after grace_s, and so do its descendants and the members of its process
    group that are still alive once it has exited.
    """
    proc = find_ours(record)
    if proc is None:
        return "not running" if not psutil.pid_exists(record.pid) else "not ours"
    family = _family(proc)
    _signal_all([proc], sig if sig is not None else signal.Signals[record.stop_signal])
    outcome = "stopped"
    if _wait_gone([proc], grace_s):
        outcome = "killed"
    _kill_leftovers(family, grace_s)
    return outcome


def _family(proc: psutil.Process) -> list[psutil.Process]:
    family = [proc]
    try:
        family += proc.children(recursive=True)
    except psutil.Error:
        pass
    # start_new_session made the process a group leader; never touch our own group.
    if proc.pid != os.getpgrp():
        family += [p for p in _group_members(proc.pid) if p.pid not in {f.pid for f in family}]
    return family


def _gone(proc: psutil.Process) -> bool:
    # A zombie has exited; whoever its parent is will reap it (we do when it is our child). But a
    # process whose main thread has exited shows as a zombie while its other threads still run.
    try:
        if proc.status() != psutil.STATUS_ZOMBIE:
            return not proc.is_running()
        if proc.num_threads() > 1:
            return False
    except psutil.NoSuchProcess:
        return True
    reap_if_child(proc.pid)
    return True


def _wait_gone(family: Sequence[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """Wait until every process has exited; returns those still alive at the timeout."""
    deadline = time.monotonic() + timeout_s
    alive = [p for p in family if not _gone(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL_S / 2)
        alive = [p for p in alive if not _gone(p)]
    return alive


def _kill_leftovers(family: Sequence[psutil.Process], grace_s: float) -> None:
    alive = _wait_gone(family, 0)
    _signal_all(alive, signal.SIGTERM)
    alive = _wait_gone(alive, min(grace_s, LEFTOVER_GRACE_S))
    _signal_all(alive, signal.SIGKILL)
    _wait_gone(alive, LEFTOVER_GRACE_S)


def kill_now(record: PidRecord, descendants: bool = True) -> bool:
    """SIGKILL the process and its group at once, as a crash would; False when it was not running.

    With descendants=False, what the process started in a session of its own (a provisioner's
    browsers) lives on, as it does when the process really crashes."""
    proc = find_ours(record)
    if proc is None:
        return False
    family = _family(proc) if descendants else [proc, *_group_members(proc.pid)]
    _signal_all(family, signal.SIGKILL)
    _wait_gone(family, LEFTOVER_GRACE_S)
    return True
