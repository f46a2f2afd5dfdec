"""Pure interpretation of the transition table: apply(state, event) -> state. No I/O."""

from collections import defaultdict

from contracts.envelope import Event
from contracts.states import TRANSITIONS, TaskState, Transition

_BY_SOURCE_EVENT: dict[tuple[TaskState, str], list[Transition]] = defaultdict(list)
for _tr in TRANSITIONS:
    _BY_SOURCE_EVENT[(_tr.source, _tr.event)].append(_tr)


class InvalidTransition(ValueError):
    """The event does not apply to a task in this state (late, duplicate or out of order)."""


# Events whose resume_state is where they send the task. On an event that asks for help
# (captcha.detected, human.needed, email.verification_needed, email.not_found) resume_state says
# where the task continues later, once help has come, not where the request sends it.
RESUMING = frozenset({"human.resolved", "email.verified", "task.approved"})


def declared_target(event: Event) -> TaskState | None:
    """The state an event names itself, for events that carry one."""
    value = getattr(event, "state", None)
    if value is None and event.TYPE in RESUMING:
        value = getattr(event, "resume_state", None)
    return value if isinstance(value, TaskState) else None


def allowed(state: TaskState, event_type: str) -> list[Transition]:
    return list(_BY_SOURCE_EVENT.get((state, event_type), ()))


def transition_for(state: TaskState, event_type: str, target: TaskState | None) -> Transition:
    candidates = allowed(state, event_type)
    if target is not None:
        candidates = [tr for tr in candidates if tr.target is target]
    if len(candidates) != 1:
        raise InvalidTransition(f"{event_type} (to {target}) does not apply in state {state}")
    return candidates[0]


def apply(state: TaskState, event: Event) -> TaskState:
    return transition_for(state, event.TYPE, declared_target(event)).target


def sources_for(event_type: str, target: TaskState | None = None) -> list[TaskState]:
    """States a task may be in for this event to apply: the guard of a guarded UPDATE."""
    return sorted({tr.source for tr in TRANSITIONS if tr.event == event_type and target in (None, tr.target)})
