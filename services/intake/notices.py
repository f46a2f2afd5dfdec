"""What the user is told about an event, if anything: the kind, a title, a sentence and a link. Pure.

Told: an application completed or failed, a question only the user can answer, a form waiting for
their review, and a wait on someone else that ended the task (human.timeout). Not told: every
step in between (the page shows those live), nor a CAPTCHA or a missing mail, which an operator
handles; if the operator cannot, the task's failure is told.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID, uuid5

from contracts.applications import ApplicationCompleted, ApplicationFailed
from contracts.envelope import Event
from contracts.human import HumanNeeded, HumanTimeout
from contracts.profiles import ProfileFailed
from contracts.tasks import TaskFailed, TaskReviewNeeded

# A notification's id is derived from its event: a redelivered event is told once.
_NAMESPACE = UUID("a2c4e6f8-1b3d-4f5a-9c7e-0d2b4f6a8c1e")
KINDS = ("completed", "failed", "question", "sign_in", "review")
# The event types that may be told (notice_for decides for each event).
TOLD = (
    ApplicationCompleted.TYPE,
    ApplicationFailed.TYPE,
    TaskFailed.TYPE,
    ProfileFailed.TYPE,
    HumanTimeout.TYPE,
    HumanNeeded.TYPE,
    TaskReviewNeeded.TYPE,
)


@dataclass(frozen=True)
class Notice:
    notification_id: UUID
    kind: str
    title: str
    body: str
    link: str  # a path of the page


def _where(job_url: str | None, company: str | None = None, title: str | None = None) -> str:
    if title and company:
        return f"{title} at {company}"
    if company or title:
        return str(company or title)
    parts = urlsplit(job_url or "")
    return f"{parts.hostname}{parts.path.rstrip('/')}" if parts.hostname else "your application"


def _notice(event: Event, kind: str, title: str, body: str, anchor: str = "") -> Notice:
    link = f"/app/tasks/{event.task_id}" + (f"?open={anchor}#{anchor}" if anchor else "")
    return Notice(uuid5(_NAMESPACE, f"{event.event_id}/{kind}"), kind, title, body, link)


SIGN_IN_WORDS = {
    "wall": ("Sign in once: {where}", "The job site asks you to sign in. Sign in in the live browser on the page"),
    "checkpoint": ("A security check: {where}", "The job site asks for a security check that only you can pass"),
    "two_step": ("A verification code: {where}", "The job site asks for your two-step verification code"),
}


def _sign_in(event: HumanNeeded, where: str) -> Notice:
    title, said = SIGN_IN_WORDS[event.sign_in or "wall"]
    body = f"{said}; the application goes on once you press Done, and the site keeps you signed in for the next ones."
    return _notice(event, "sign_in", title.format(where=where), body, "signin")


def _question(event: HumanNeeded, where: str) -> Notice | None:
    if event.sign_in is not None:
        return _sign_in(event, where)
    labels = [q.label for q in event.fields] or list(event.questions)
    if not labels:
        return None  # a decision for an operator (an unprovable submission), not a question for the user
    asked = "; ".join(labels[:5]) + (" …" if len(labels) > 5 else "")
    asked = asked if asked.endswith(("?", ".", "…")) else asked + "."
    return _notice(
        event,
        "question",
        f"A question only you can answer: {where}",
        f"The form asks something your profile does not answer: {asked} Answer it and the application goes on.",
        "question",
    )


def notice_for(
    event: Event, job_url: str | None, company: str | None = None, title: str | None = None
) -> Notice | None:
    """`company` and `title` as the submitted form named them, where the task got that far."""
    where = _where(job_url, company, title)
    if isinstance(event, ApplicationCompleted):
        done = _where(job_url, event.company or company, event.job_title or title)
        proof = f" Confirmation: {event.confirmation_id}." if event.confirmation_id else ""
        return _notice(event, "completed", f"Applied: {done}", f"Your application was sent and confirmed.{proof}")
    if isinstance(event, ApplicationFailed):
        return _notice(event, "failed", f"Not applied: {where}", f"The application failed ({event.reason}).")
    if isinstance(event, TaskFailed | ProfileFailed):
        why = event.message or event.reason.value.replace("_", " ")
        return _notice(event, "failed", f"Not applied: {where}", f"The application stopped: {why}.")
    if isinstance(event, HumanTimeout):
        return _notice(event, "failed", f"Not applied: {where}", "Nobody answered what the form needed in time.")
    if isinstance(event, HumanNeeded):
        return _question(event, where)
    if isinstance(event, TaskReviewNeeded):
        what = "a dry run" if event.dry_run else "your approval before it is sent"
        body = f"The form is filled and waits for {what}. Check every value, correct what is wrong, approve."
        return _notice(event, "review", f"Review before sending: {where}", body, "review")
    return None
