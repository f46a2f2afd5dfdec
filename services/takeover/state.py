"""What takeover accepts and what each request for help means. Pure."""

from dataclasses import dataclass
from typing import Any

from contracts.envelope import Event
from contracts.human import CaptchaDetected, HumanNeeded
from contracts.machine import sources_for
from contracts.mail import EmailNotFound
from contracts.states import TaskState

CONSUMED = (
    "captcha.detected",
    "human.needed",
    "email.not_found",
)
# What takeover learns of a task before anyone asks for help: its priority, its browser, its end;
# and a wait resolved elsewhere (the user answered their own question on their page).
TASK_FACTS = ("task.queued", "profile.ready", "task.cancelled", "human.resolved")

# The kind of a wait at an account barrier (a sign-in wall, a checkpoint) that the user passes in
# the live browser on their own page; operators see it only where the user lets them help.
SIGN_IN = "sign_in"

ACCEPTED_IN: dict[str, tuple[TaskState, ...]] = {event: tuple(sources_for(event)) for event in CONSUMED}


@dataclass(frozen=True)
class HelpWanted:
    kind: str  # captcha, question, email_not_found, sign_in (an account barrier the user passes)
    reason: str
    page_url: str | None
    questions: list[dict[str, Any]]
    screenshot_uri: str | None
    resume_state: TaskState


def help_wanted(event: Event) -> HelpWanted:
    """The intervention an event asks for; ValueError for an event that asks for none."""
    if isinstance(event, CaptchaDetected):
        return HelpWanted(
            "captcha", "a CAPTCHA must be solved", event.page_url, [], event.screenshot_uri, event.resume_state
        )
    if isinstance(event, HumanNeeded) and event.sign_in is not None:
        return HelpWanted(SIGN_IN, event.reason, event.page_url, [], event.screenshot_uri, event.resume_state)
    if isinstance(event, HumanNeeded):
        questions = [q.model_dump() for q in event.fields] or [{"label": q} for q in event.questions]
        return HelpWanted("question", event.reason, event.page_url, questions, event.screenshot_uri, event.resume_state)
    if isinstance(event, EmailNotFound):
        reason = f"no verification mail arrived within {event.waited_s:.0f} s"
        ask = [{"label": "Verification code or link from the mail", "widget": "text", "required": True}]
        return HelpWanted("email_not_found", reason, None, ask, None, event.resume_state)
    raise ValueError(f"{event.TYPE} asks for no person")
