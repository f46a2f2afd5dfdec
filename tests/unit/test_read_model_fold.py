"""intake's fold: the state is the history's, in the history's order, whatever the arrival order."""

import itertools

import pytest

from contracts.states import TaskState
from contracts.tasks import TaskCancelled, TaskProgress, TaskRetrying
from services.intake.state import fold
from tests.support import queued_event

pytestmark = pytest.mark.unit


def test_an_event_that_does_not_apply_at_its_position_is_skipped_and_the_rest_go_on() -> None:
    queued = queued_event()
    ids = {"task_id": queued.task_id, "user_id": queued.user_id}
    events = [
        queued,
        TaskProgress(**ids, state=TaskState.ANALYZING),  # cannot follow QUEUED
        TaskProgress(**ids, state=TaskState.PROVISIONING),
        TaskCancelled(**ids),
    ]
    folded = fold(events)
    assert folded.state is TaskState.CANCELLED and folded.outcome is TaskState.CANCELLED
    assert [(p.position, p.before, p.after) for p in folded.placed] == [
        (1, None, TaskState.QUEUED),
        (2, TaskState.QUEUED, None),
        (3, TaskState.QUEUED, TaskState.PROVISIONING),
        (4, TaskState.PROVISIONING, TaskState.CANCELLED),
    ]


def test_sorting_any_arrival_order_by_occurrence_gives_the_same_fold() -> None:
    queued = queued_event()
    ids = {"task_id": queued.task_id, "user_id": queued.user_id}
    events = [
        queued,
        TaskProgress(**ids, state=TaskState.PROVISIONING),
        TaskRetrying(**ids, stage="provisioning", attempt=1, delay_s=5, reason="slow"),
        TaskProgress(**ids, state=TaskState.NAVIGATING),
    ]
    expected = fold(events)
    assert expected.state is TaskState.NAVIGATING and all(p.after for p in expected.placed)
    for arrival in itertools.permutations(events):
        assert fold(sorted(arrival, key=lambda e: e.occurred_at)) == expected
