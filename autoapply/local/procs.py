"""Spawning, identifying and stopping the processes we start, by pid file.

A pid file records the pid, the process's start time and its command line. A pid alone is not
enough: after a reboot or a crash the pid may belong to a stranger, and we must never signal it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import psutil

# A start time in seconds since the epoch is boot time + ticks since boot, and the kernel's boot time
# shifts by a second when the clock is adjusted, so it is compared loosely. The tick count read
# from /proc (exact and constant for a process's life) is compared exactly where available.
CREATE_TIME_TOLERANCE_S = 2.0
# Lines of a log shown in an error, enough to see a stack trace's last frames.
LOG_TAIL_LINES = 30
# Exec finishes in microseconds; this only bounds the wait on a badly overloaded machine.
EXEC_WAIT_S = 1.0
# Health polling: fast enough that a 20 ms start is not rounded up to a second.
POLL_INTERVAL_S = 0.05


class StartError(RuntimeError):
    """A server or service did not become healthy; the message carries its log tail."""


@dataclass(frozen=True)
class PidRecord:
    name: str
    pid: int
    create_time: float
    cmdline: list[str]
    log: str
    kind: str = "server"
    stop_signal: str = "SIGTERM"
    start_ticks: int | None = None

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1) + "\n")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> PidRecord | None:
        try:
            data = json.loads(path.read_text())
            known = {f.name for f in fields(cls)}  # fields added by a newer version are ignored
            return cls(**{k: v for k, v in data.items() if k in known})
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path} is not a pid file written by autoapply: {exc}") from exc


@dataclass(frozen=True)
class RunAs:
    """A system user to run a server as (PostgreSQL refuses to run as root)."""

    user: str
    group: str


# Popen objects of the servers this process started: kept so they are not collected (and warned
# about) while the server runs, and so their exit status can be reaped.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}
# Exit codes of reaped children, for the error that says why a server did not start.
_EXIT_CODES: dict[int, int] = {}


def spawn(
    name: str,
    cmd: Sequence[str],
    log: Path,
    pid_file: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    run_as: RunAs | None = None,
    kind: str = "server",
    stop_signal: str = "SIGTERM",
) -> PidRecord:
    """Start cmd in its own session (so its whole group can be stopped), output appended to log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}: {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=run_as.user if run_as else None,
            group=run_as.group if run_as else None,
            extra_groups=[] if run_as else None,
        )
    _CHILDREN[proc.pid] = proc
    _wait_for_exec(proc.pid)
    record = PidRecord(
        name=name,
        pid=proc.pid,
        create_time=psutil.Process(proc.pid).create_time(),
        start_ticks=start_ticks(proc.pid),
        cmdline=list(cmd),
        log=str(log),
        kind=kind,
        stop_signal=stop_signal,
    )
    record.write(pid_file)
    return record


def _wait_for_exec(pid: int) -> None:
    # Popen returns once exec has begun, a moment before the kernel shows the new command line;
    # until then /proc reads an empty one.
    deadline = time.monotonic() + EXEC_WAIT_S
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).cmdline():
                return
        except psutil.Error:
            return
        time.sleep(0.001)


def start_ticks(pid: int) -> int | None:
    """Clock ticks from boot to the process's start (field 22 of /proc/PID/stat), None if unknown."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
        # The command name (field 2) may hold spaces and parentheses; fields after it are plain.
        return int(stat_line[stat_line.rindex(")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _same_start(record: PidRecord, proc: psutil.Process) -> bool:
    ticks = start_ticks(proc.pid)
    if record.start_ticks is not None and ticks is not None:
        return ticks == record.start_ticks
    return bool(abs(proc.create_time() - record.create_time) <= CREATE_TIME_TOLERANCE_S)


def _same_program(stored: Sequence[str], current: Sequence[str]) -> bool:
    # Some servers rewrite their title (redis-server shows "redis-server 127.0.0.1:PORT"), a script
    # shows its interpreter first, and Debian's chromium wrapper execs the real binary; the program's
    # base name survives all three.
    if list(stored) == list(current) or not current:
        return True  # an empty command line is a process between exec and exit: the start time decides
    if not stored:
        return False
    shown = {os.path.basename(current[0].split()[0]) if current[0] else ""}
    if len(current) > 1:
        shown.add(os.path.basename(current[1]))
    return os.path.basename(stored[0]) in shown


def find_ours(record: PidRecord) -> psutil.Process | None:
    """The live process the record describes, or None when it is gone or the pid is a stranger's."""
    try:
        proc = psutil.Process(record.pid)
        if not _same_start(record, proc):
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            reap_if_child(record.pid)
            return None
        return proc if _same_program(record.cmdline, proc.cmdline()) else None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def reap_if_child(pid: int) -> None:
    child = _CHILDREN.get(pid)
    if child is not None:
        code = child.poll()
        if code is not None:
            _EXIT_CODES[pid] = code
            del _CHILDREN[pid]
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def log_tail(path: Path | str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def wait_healthy(record: PidRecord, check: Callable[[], bool], deadline: float) -> None:
    """Poll check() until it passes; fail fast if the process exits, or at the monotonic deadline."""
    while True:
        if find_ours(record) is None:
            raise StartError(
                f"{record.name} (pid {record.pid}) exited while starting{_exit_status(record.pid)}; "
                f"last lines of {record.log}:\n{log_tail(record.log)}"
            )
        if _passes(check):
            return
        if time.monotonic() >= deadline:
            raise StartError(
                f"{record.name} (pid {record.pid}) was not healthy in time; "
                f"last lines of {record.log}:\n{log_tail(record.log)}"
            )
        time.sleep(POLL_INTERVAL_S)


def _exit_status(pid: int) -> str:
    reap_if_child(pid)
    code = _EXIT_CODES.pop(pid, None)
    return f" with exit code {code}" if code is not None else ""


def _passes(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception:  # a health probe that raises is simply "not yet"
        return False
