"""pytest-timeout's alarm kept out of pytest's own reporting.

With the signal method, a test's timer (when it covers setup and teardown too, the default outside
tests/e2e) runs through the reports of its phases. On a loaded machine formatting a failure's long
traceback takes seconds; an alarm that fires inside that hook is an exception in pytest's own
machinery, and the worker and the whole run stop in an INTERNALERROR (seen at a load average of 20
to 50). So the timer is paused while a phase is reported and armed again afterwards with what was
left, at least MIN_REARM_S: an alarm that was due during the report fires in the next phase, where
it fails the test as it should, or is cancelled when the test ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator
from typing import Any

import pytest

# Enough for the few statements between a report and the next phase (or the timer's cancel).
MIN_REARM_S = 1.0


def pause() -> float:
    """Stops the real-time timer; returns the seconds it had left (0: none was running)."""
    if threading.current_thread() is not threading.main_thread():
        return 0.0
    remaining, _interval = signal.setitimer(signal.ITIMER_REAL, 0)
    return remaining


def resume(remaining: float) -> None:
    if remaining > 0:
        signal.setitimer(signal.ITIMER_REAL, max(remaining, MIN_REARM_S))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    remaining = pause()
    try:
        return (yield)
    finally:
        resume(remaining)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> Generator[None, Any, Any]:
    remaining = pause()
    try:
        return (yield)
    finally:
        resume(remaining)
