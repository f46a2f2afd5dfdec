"""CPU seconds spent by named groups of processes between two readings, for "what does one task cost".

A group is a process and its descendants: PostgreSQL's postmaster with its backends, a service
with any helper it runs. Descendants that exited count too, through their parents' waited-for
children's times (the postmaster waits for every backend it forked).
"""

import os
from collections.abc import Mapping

import psutil


def _own(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def group_seconds(pid: int) -> float:
    """The process's CPU and that of every live descendant; 0.0 when it has gone."""
    try:
        root = psutil.Process(pid)
        total = _own(root)
        for child in root.children(recursive=True):
            try:
                total += _own(child)
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def own_seconds() -> float:
    """This process (the benchmark's client), all threads."""
    times = os.times()
    return times.user + times.system


class CpuMeter:
    """Readings of several groups: start(), then per_task(n) after the work."""

    def __init__(self, groups: Mapping[str, int | None]) -> None:
        self._groups = {name: pid for name, pid in groups.items() if pid is not None}
        self._start: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        now = {name: group_seconds(pid) for name, pid in self._groups.items()}
        now["client"] = own_seconds()
        return now

    def start(self) -> None:
        self._start = self._read()

    def per_task_ms(self, tasks: int) -> dict[str, float]:
        """Milliseconds of CPU per task by group, and their total."""
        end = self._read()
        spent = {name: (end[name] - self._start[name]) * 1000 / max(tasks, 1) for name in end}
        spent["total"] = sum(spent.values())
        return {name: round(ms, 2) for name, ms in spent.items()}
