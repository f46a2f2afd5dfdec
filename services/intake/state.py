"""The read model's rules: a task's state is the fold of its ordered history. Pure."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from contracts.envelope import Event
from contracts.machine import InvalidTransition, apply
from contracts.states import OUTCOMES, TaskState


@dataclass(frozen=True)
class Placed:
    """One event at its position: the state before it, and after it (None: it does not apply there)."""

    event_id: UUID
    position: int
    before: TaskState | None
    after: TaskState | None


@dataclass(frozen=True)
class Folded:
    state: TaskState | None  # None while no event of the history applies
    outcome: TaskState | None  # the last outcome reached (kept through CLEANUP)
    placed: tuple[Placed, ...]


def next_state(current: TaskState | None, event: Event) -> TaskState | None:
    """The task's new state, or None when the event does not apply in this state."""
    try:
        return apply(current or TaskState.CREATED, event)
    except InvalidTransition:
        return None


def fold(history: Sequence[Event]) -> Folded:
    """Applies the events in the given order (the caller's: occurred_at, then arrival)."""
    state: TaskState | None = None
    outcome: TaskState | None = None
    placed = []
    for position, event in enumerate(history, start=1):
        after = next_state(state, event)
        placed.append(Placed(event.event_id, position, state, after))
        if after is not None:
            state = after
            outcome = outcome_of(after) or outcome
    return Folded(state, outcome, tuple(placed))


def outcome_of(state: TaskState) -> TaskState | None:
    return state if state in OUTCOMES else None
