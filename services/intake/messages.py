"""What a live socket says about an event: the original message types. Pure.

state_change {from, to}, progress {step, step_number, total_steps}, human_needed {reason,
novnc_url}, completed {result}; every message carries the stream position (`cursor`) a client
reconnects from, the task, the event's type and its id.
"""

from typing import Any

from contracts.applications import ApplicationCompleted
from contracts.envelope import Event
from contracts.human import CaptchaDetected, HumanNeeded
from contracts.machine import InvalidTransition, apply, transition_for
from contracts.mail import EmailNotFound
from contracts.states import TaskState
from contracts.tasks import TaskProgress

# Why a person is needed, in the original message's words.
CAPTCHA, EMAIL_NOT_FOUND = "CAPTCHA", "EMAIL_NOT_FOUND"


def _human(event: Event) -> dict[str, Any] | None:
    if isinstance(event, CaptchaDetected):
        return {"type": "human_needed", "reason": CAPTCHA, "novnc_url": event.live_view_url, "page_url": event.page_url}
    if isinstance(event, HumanNeeded):
        return {
            "type": "human_needed",
            "reason": event.reason,
            "novnc_url": event.live_view_url,
            "page_url": event.page_url,
            "questions": list(event.questions),
            # "wall", "checkpoint", "two_step": the user passes it on their own page, in the live browser.
            "sign_in": event.sign_in,
        }
    if isinstance(event, EmailNotFound):
        return {"type": "human_needed", "reason": EMAIL_NOT_FOUND, "novnc_url": None}
    return None


def _extra(event: Event) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(event, TaskProgress) and event.step is not None:
        found.append(
            {
                "type": "progress",
                "step": event.step,
                "step_number": event.step_number,
                "total_steps": event.total_steps,
                "state": event.state.value,
            }
        )
    human = _human(event)
    if human:
        found.append(human)
    if isinstance(event, ApplicationCompleted):
        found.append(
            {
                "type": "completed",
                "result": {"confirmation_id": event.confirmation_id, "evidence": list(event.evidence)},
            }
        )
    return found


def next_state(before: TaskState | None, event: Event) -> TaskState | None:
    """The state the event moves the task to, or None if it does not apply (late or out of order)."""
    current = before or TaskState.CREATED
    try:
        return apply(current, event)
    except InvalidTransition:
        pass
    try:
        # captcha.detected and human.needed name where the task resumes later (resume_state),
        # not where it goes now: the table's only transition for the event is the one.
        return transition_for(current, event.TYPE, None).target
    except InvalidTransition:
        return None


def describe(event: Event, cursor: int, before: TaskState | None) -> tuple[TaskState | None, list[dict[str, Any]]]:
    """The task's state after the event (unchanged if it does not apply) and the messages to send."""
    out: list[dict[str, Any]] = []
    after = next_state(before, event) or before
    if after is not None and after != before:
        out.append({"type": "state_change", "from": before.value if before else None, "to": after.value})
    out += _extra(event)
    head = {
        "cursor": cursor,
        "task_id": str(event.task_id),
        "event_type": event.TYPE,
        # The page reads the task over HTTP after a message and reads again until the read model has
        # this event (the socket is fed from the stream, a moment ahead of the read model).
        "event_id": str(event.event_id),
        "at": event.occurred_at.isoformat(),
    }
    return after, [{**m, **head} for m in out]
