"""What a set of processes costs: CPU seconds and summed RSS of each one and all its descendants."""

import asyncio
import contextlib
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

    def cpu_s(self) -> float:
        return sum(cpu_of(p) for p in tree(self._pids()))

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, sum(rss_of(p) for p in tree(self._pids())))

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
