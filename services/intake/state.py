"""The read model's rules: which state an event moves a task to. Pure."""

from contracts.envelope import Event
from contracts.machine import InvalidTransition, apply
from contracts.states import OUTCOMES, TaskState


def next_state(current: TaskState | None, event: Event) -> TaskState | None:
    """The task's new state, or None when the event does not apply (late or out of order)."""
    try:
        return apply(current or TaskState.CREATED, event)
    except InvalidTransition:
        return None


def outcome_of(state: TaskState) -> TaskState | None:
    return state if state in OUTCOMES else None
