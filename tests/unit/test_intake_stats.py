"""What intake's read model tells the metrics for one arriving event (services/intake/stats.py)."""

import datetime as dt

import pytest

from contracts.states import TaskState
from contracts.tasks import TaskCancelled, TaskProgress
from services.intake import state, stats
from tests.support import queued_event

pytestmark = pytest.mark.unit


def test_an_outcome_counts_once_with_its_platform_and_the_time_in_the_state_it_left() -> None:
    queued = queued_event(platform="lever")
    later = queued.occurred_at + dt.timedelta(seconds=42)
    cancelled = TaskCancelled(task_id=queued.task_id, user_id=queued.user_id, occurred_at=later)
    history = [queued, cancelled]
    placed = state.fold(history).placed
    first = stats.observe(history, placed, queued.event_id)
    seen = stats.observe(history, placed, cancelled.event_id)
    assert first == stats.Observed(None, 0.0, None, "lever")
    assert seen == stats.Observed(TaskState.QUEUED, 42.0, TaskState.CANCELLED, "lever")


def test_an_event_that_does_not_apply_where_it_stands_tells_nothing() -> None:
    queued = queued_event()
    stray = TaskProgress(task_id=queued.task_id, user_id=queued.user_id, state=TaskState.SUBMITTING)
    history = [queued, stray]
    assert stats.observe(history, state.fold(history).placed, stray.event_id) is None
