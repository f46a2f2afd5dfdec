"""Pure interpretation of the transition table: apply(state, event) -> state. No I/O."""

from collections import defaultdict

from contracts.envelope import Event
from contracts.states import TRANSITIONS, TaskState, Transition

_BY_SOURCE_EVENT: dict[tuple[TaskState, str], list[Transition]] = defaultdict(list)
for _tr in TRANSITIONS:
    _BY_SOURCE_EVENT[(_tr.source, _tr.event)].append(_tr)


class InvalidTransition(ValueError):
    """The event does not apply to a task in this state (late, duplicate or out of order)."""


def declared_target(event: Event) -> TaskState | None:
    """The state an event names itself, for events that carry one."""
    for field in ("state", "resume_state"):
        value = getattr(event, field, None)
        if isinstance(value, TaskState):
            return value
    return None


def allowed(state: TaskState, event_type: str) -> list[Transition]:
    return list(_BY_SOURCE_EVENT.get((state, event_type), ()))


def transition_for(state: TaskState, event_type: str, target: TaskState | None) -> Transition:
    candidates = allowed(state, event_type)
    # A named state decides between transitions that go there; `resume_state` on an event that
    # asks for help (captcha.detected, email.not_found) says where the task continues later, not
    # where this event sends it.
    if target is not None and any(tr.target is target for tr in candidates):
        candidates = [tr for tr in candidates if tr.target is target]
    if len(candidates) != 1:
        raise InvalidTransition(f"{event_type} (to {target}) does not apply in state {state}")
    return candidates[0]


def apply(state: TaskState, event: Event) -> TaskState:
    return transition_for(state, event.TYPE, declared_target(event)).target


def sources_for(event_type: str, target: TaskState | None = None) -> list[TaskState]:
    """States a task may be in for this event to apply: the guard of a guarded UPDATE."""
    return sorted({tr.source for tr in TRANSITIONS if tr.event == event_type and target in (None, tr.target)})
