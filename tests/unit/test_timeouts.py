"""pytest-timeout's alarm never fires inside a report (tests/timeouts.py): it waits, then fires."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from tests import timeouts

# The tests drive the real-time timer themselves: pytest-timeout's own is off for them.
pytestmark = [pytest.mark.unit, pytest.mark.timeout(0)]


@pytest.fixture
def alarms() -> Iterator[list[float]]:
    """SIGALRM counted instead of failing the test; the handler and the timer as they were after."""
    fired: list[float] = []

    def count(_signum: int, _frame: FrameType | None) -> None:
        fired.append(time.monotonic())

    before = signal.signal(signal.SIGALRM, count)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def test_an_alarm_due_during_a_report_fires_after_it(alarms: list[float]) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    hook = timeouts.pytest_runtest_logreport(None)  # type: ignore[arg-type]
    next(hook)  # the report starts: the timer stops
    time.sleep(0.2)  # a slow report, past the alarm's time
    assert alarms == []
    ended = time.monotonic()
    with pytest.raises(StopIteration):
        hook.send(None)  # the report ends: the timer runs again, with at least MIN_REARM_S
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    assert 0 < remaining <= timeouts.MIN_REARM_S
    deadline = ended + timeouts.MIN_REARM_S + 5
    while not alarms and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(alarms) == 1 and alarms[0] - ended >= timeouts.MIN_REARM_S * 0.9


def test_a_report_without_a_timer_starts_none(alarms: list[float]) -> None:
    hook = timeouts.pytest_runtest_makereport(None, None)  # type: ignore[arg-type]
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(None)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and alarms == []
