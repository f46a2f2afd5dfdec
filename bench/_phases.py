"""Where a form's seconds and CPU go, by phase of the engine (`bench forms --detail`).

The engine's steps, as `forms.fill` calls them, are wrapped while the bench runs: detecting the
platform, looking for challenges, refusing cookies, reading, deciding, each widget's action, looking
for buttons, pressing Next, reading errors, adding rows. Each phase gets its own time only (a read
inside another phase is the read's), in seconds and in CPU seconds by process kind, read at every
phase's start and end; the readings' own CPU is measured and left out of the engine's figure.
"""

from __future__ import annotations

import collections
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import forms.fill
from bench._calls import Cpu

# The names `forms.fill` calls, and the phase each is.
PHASES = {
    "detect_platform": "detect",
    "challenges": "challenges",
    "refuse_cookies": "cookies",
    "read_settled": "read",
    "decide": "decide",
    "visible_button": "buttons",
    "press_and_settle": "next",
    "read_errors": "errors",
    "add_row": "rows",
}


class Phases:
    def __init__(self, cpu: Cpu) -> None:
        self.cpu = cpu
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self.cpu_s: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
        self.count: collections.Counter[str] = collections.Counter()
        self._stack: list[str] = ["other"]
        self._mark = (time.monotonic(), self.cpu.sample())

    def _switch(self, to: str | None) -> None:
        """Charge the time since the last switch to the phase running, then run `to` (None: back out).
        A reading costs the engine CPU between the two marks it lies between: that much is taken off."""
        began = time.process_time()
        now, sample = time.monotonic(), self.cpu.sample()
        reading = time.process_time() - began
        before, then = self._mark
        phase = self._stack[-1]
        self.seconds[phase] += now - before
        for kind, value in sample.items():
            self.cpu_s[phase][kind] += value - then.get(kind, 0.0) - (reading if kind == "engine" else 0.0)
        if to is None:
            self._stack.pop()
        else:
            self._stack.append(to)
            self.count[to] += 1
        self._mark = (now, sample)

    def begin(self) -> None:
        """A form starts: what came before it (signing in, a new context) is no phase of it."""
        self._stack = ["other"]
        self._mark = (time.monotonic(), self.cpu.sample())

    def end(self) -> None:
        self._switch("other")
        self._switch(None)

    @contextlib.asynccontextmanager
    async def phase(self, name: str) -> AsyncIterator[None]:
        self._switch(name)
        try:
            yield
        finally:
            self._switch(None)

    def wrap(self, name: str | Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn` (a coroutine function, or a plain one such as the decider) timed as its phase."""
        if not inspect.iscoroutinefunction(fn):

            def plain(*args: Any, **kwargs: Any) -> Any:
                self._switch(name(*args) if callable(name) else name)
                try:
                    return fn(*args, **kwargs)
                finally:
                    self._switch(None)

            return plain

        async def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch(name(*args) if callable(name) else name)
            try:
                return await fn(*args, **kwargs)
            finally:
                self._switch(None)

        return timed

    def report(self, forms_: int) -> dict[str, dict[str, float]]:
        """Per phase and form: calls, seconds, and CPU seconds by kind (the engine's without the readings)."""
        out = {}
        for phase in sorted(self.seconds, key=lambda p: -self.seconds[p]):
            cpu = {k: round(v / forms_, 3) for k, v in sorted(self.cpu_s[phase].items())}
            out[phase] = {"n": round(self.count[phase] / forms_, 1), "s": round(self.seconds[phase] / forms_, 3)} | cpu
        return out


def _act_phase(page: Any, record: Any, res: Any) -> str:
    return f"act:{record.widget}"


@contextlib.contextmanager
def installed(phases: Phases) -> Iterator[Phases]:
    originals = {name: getattr(forms.fill, name) for name in [*PHASES, "act"]}
    for name, phase in PHASES.items():
        setattr(forms.fill, name, phases.wrap(phase, originals[name]))
    setattr(forms.fill, "act", phases.wrap(_act_phase, originals["act"]))  # noqa: B010 (mypy: no re-export)
    try:
        yield phases
    finally:
        for name, fn in originals.items():
            setattr(forms.fill, name, fn)
