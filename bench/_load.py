"""What a set of processes costs: CPU seconds and summed RSS of each one and all its descendants."""

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable

import psutil

# Often enough to catch a browser's peak, seldom enough to cost nothing measurable.
SAMPLE_EVERY_S = 0.5


def tree(pids: list[int]) -> list[psutil.Process]:
    found: dict[int, psutil.Process] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in (root, *root.children(recursive=True)):
                found[proc.pid] = proc
        except psutil.Error:
            continue
    return list(found.values())


def cpu_of(proc: psutil.Process) -> float:
    """Its own time and that of its children already waited for (so an exited browser still counts)."""
    try:
        t = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return float(t.user + t.system + t.children_user + t.children_system)


def rss_of(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_info().rss)
    except psutil.Error:
        return 0


def cpu_by_part(parts: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds per part (each with its descendants); Chromium's processes, whoever started them, as
    their own part. A browser that exited counts in the part that waited for it."""
    totals: dict[str, float] = {}
    for name, pids in parts.items():
        for proc in tree(pids):
            try:
                kind = "chromium" if "chrom" in proc.name().casefold() else name
            except psutil.Error:
                continue
            totals[kind] = totals.get(kind, 0.0) + cpu_of(proc)
    return totals


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(after.get(k, 0.0) - before.get(k, 0.0), 2) for k in sorted(set(before) | set(after))}


class Meter:
    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self._pids = pids
        self.peak_rss = 0
        self.ledger: Ledger | None = None  # sampled along, where a level wants CPU by process

    def cpu_s(self) -> float:
        return sum(cpu_of(p) for p in tree(self._pids()))

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, sum(rss_of(p) for p in tree(self._pids())))
        if self.ledger is not None:
            self.ledger.sample()

    @contextlib.asynccontextmanager
    async def sampling(self) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.to_thread(self.sample)
                await asyncio.sleep(SAMPLE_EVERY_S)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def label_of(proc: psutil.Process, part: str) -> str:
    """A process as a row of the CPU table: Chromium's by type, the servers by name, else its part."""
    name = proc.name().casefold()
    if "chrom" in name:
        kind = next((a.removeprefix("--type=") for a in proc.cmdline() if a.startswith("--type=")), "browser")
        return f"chromium.{'gpu' if kind == 'gpu-process' else kind}"
    if part == "servers":
        return "postgres" if name.startswith("postgres") else name.removesuffix("-server")
    return part


class Ledger:
    """CPU seconds by row (label_of) between start() and the last sample(), every process counted by
    its own times while it lives: a browser that exits between two samples loses at most the last
    interval, instead of landing in whichever part waited for it."""

    def __init__(self, parts: Callable[[], dict[str, list[int]]]) -> None:
        self._parts = parts
        self._baseline = False
        self._rows: dict[tuple[int, float], tuple[str, float, float]] = {}  # label, first, last
        self.series: list[tuple[float, dict[str, float]]] = []  # (wall time, spent() then): for phases

    def start(self) -> None:
        """Everything alive now counts from here; what is born later, from its birth."""
        self._rows.clear()
        self.series.clear()
        self._baseline = True
        self.sample()
        self._baseline = False

    def sample(self) -> None:
        for part, pids in self._parts().items():
            for proc in tree(pids):
                with contextlib.suppress(psutil.Error):
                    key = (proc.pid, proc.create_time())
                    t = proc.cpu_times()
                    now = float(t.user + t.system)
                    first = now if self._baseline else 0.0
                    label, first, _ = self._rows.get(key) or (label_of(proc, part), first, 0.0)
                    self._rows[key] = (label, first, now)
        self.series.append((time.time(), self.spent()))

    def spent(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for label, first, last in self._rows.values():
            totals[label] = totals.get(label, 0.0) + last - first
        return {k: round(v, 2) for k, v in sorted(totals.items())}


def by_phase(series: list[tuple[float, dict[str, float]]], spans: list[tuple[str, float, float]]) -> dict[str, float]:
    """CPU seconds of the whole stack per phase: each sample interval goes to the phase whose span
    (name, start, end in wall time) holds its end. Meaningful with one task at a time."""
    out: dict[str, float] = {}
    for (_, before), (at, after) in itertools.pairwise(series):
        name = next((n for n, start, end in spans if start < at <= end), None)
        if name is not None:
            out[name] = out.get(name, 0.0) + sum(after.values()) - sum(before.values())
    return out
