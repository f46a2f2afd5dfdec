"""What one form fill costs beyond its seconds: Playwright calls (each a round trip to the browser) and
CPU seconds per process kind (the engine's Python, Playwright's driver, Chromium, the sandbox).

Both are measured in the bench only: the calls by wrapping the client's one door to its driver
(`Connection.send_message_to_server`), the CPU through psutil. Neither depends on how loaded the
machine is the way seconds do, so runs on a shared machine still compare.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import psutil
from playwright._impl.connection import Connection

# Sent without a reply (the client's wait notes): not a round trip.
NO_REPLY = "__waitInfo__"


class Calls:
    """Every call the client sends while counting, by `Type.method`."""

    def __init__(self) -> None:
        self.by_method: collections.Counter[str] = collections.Counter()
        self.waited: dict[str, float] = collections.defaultdict(float)  # seconds until each reply, summed
        self.counting = False

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    def note(self, owner: Any, method: str, reply: Any) -> None:
        if not self.counting or method == NO_REPLY:
            return
        name = f"{getattr(owner, '_type', '?')}.{method}"
        self.by_method[name] += 1
        began = time.monotonic()
        if isinstance(reply, asyncio.Future):
            reply.add_done_callback(lambda _: self._waited(name, began))

    def _waited(self, name: str, began: float) -> None:
        self.waited[name] += time.monotonic() - began

    @contextlib.contextmanager
    def installed(self) -> Iterator[Calls]:
        original = Connection.send_message_to_server
        calls = self

        def send(self: Connection, owner: Any, method: str, params: Any, options: dict[str, Any]) -> Any:
            reply = original(self, owner, method, params, options)
            calls.note(owner, method, reply)
            return reply

        Connection.send_message_to_server = send  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            Connection.send_message_to_server = original  # type: ignore[method-assign]

    @contextlib.contextmanager
    def counted(self) -> Iterator[collections.Counter[str]]:
        """The calls made inside the block (a fresh counter)."""
        before = collections.Counter(self.by_method)
        self.counting = True
        diff: collections.Counter[str] = collections.Counter()
        try:
            yield diff
        finally:
            self.counting = False
            diff.update(self.by_method)
            diff.subtract(before)
            for key in [k for k, v in diff.items() if v <= 0]:
                del diff[key]


def kind_of(proc: psutil.Process) -> str:
    """Which part a process is: Chromium (browser, renderers, GPU, utility), Playwright's driver, ours."""
    try:
        name = proc.name().casefold()
    except psutil.Error:
        return "gone"
    if "chrom" in name or "headless_shell" in name:
        return "chromium"
    if name.startswith("node"):
        return "driver"
    return "python"


def chromium_type(proc: psutil.Process) -> str:
    """A Chromium process's --type (renderer, gpu-process, utility, zygote), or browser for the main one."""
    try:
        args = proc.cmdline()
    except psutil.Error:
        return "gone"
    kind = next((a.removeprefix("--type=") for a in args if a.startswith("--type=")), "browser")
    return "gpu" if kind == "gpu-process" else kind


def _cpu(proc: psutil.Process) -> float:
    try:
        t = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return float(t.user + t.system)


class Cpu:
    """CPU seconds of this process, its descendants (the driver and Chromium) and the sandbox, by kind.
    Processes that exit during a run are not counted (the bench's browser lives for the whole run)."""

    def __init__(self, sandbox_pid: int | None) -> None:
        self.sandbox_pid = sandbox_pid

    def sample(self) -> dict[str, float]:
        me = psutil.Process()
        totals: dict[str, float] = collections.defaultdict(float)
        totals["engine"] = _cpu(me)
        for child in me.children(recursive=True):
            kind = kind_of(child)
            if kind in ("chromium", "driver"):
                spent = _cpu(child)
                totals[kind] += spent
                if kind == "chromium":
                    totals[f"chromium.{chromium_type(child)}"] += spent
        if self.sandbox_pid:
            with contextlib.suppress(psutil.Error):
                sandbox = psutil.Process(self.sandbox_pid)
                totals["sandbox"] = sum(_cpu(p) for p in (sandbox, *sandbox.children(recursive=True)))
        return dict(totals)

    @staticmethod
    def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: round(after.get(k, 0.0) - before.get(k, 0.0), 3) for k in sorted(set(before) | set(after))}
