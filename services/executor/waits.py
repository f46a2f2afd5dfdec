"""Every wait is an event: what the executor publishes when it needs a person, the mailbox or the
user's review, and then acks with the browser left open."""

from datetime import datetime
from typing import Any

from contracts.applications import SentField
from contracts.human import CaptchaDetected, HumanNeeded, Question, SignInBarrier
from contracts.mail import EmailVerificationNeeded
from contracts.states import TaskState
from contracts.tasks import TaskReviewNeeded
from services.executor.context import Run

# Who sends each platform's verification mail: only mail from these is trusted (the real senders).
SENDER_DOMAINS: dict[str, tuple[str, ...]] = {
    "greenhouse": ("greenhouse-mail.io", "greenhouse.io"),
    "lever": ("hire.lever.co", "lever.co"),
    "ashby": ("ashbyhq.com",),
    "workday": ("myworkday.com", "workday.com"),
    "linkedin": ("linkedin.com",),
    "linkedin_easy_apply": ("linkedin.com",),
}
# The waiting marks kept in the executor's task row: what the next resuming event continues.
CAPTCHA, HUMAN, EMAIL, EMAIL_AFTER_SUBMIT, REVIEW = "captcha", "human", "email", "email_after_submit", "review"
# A person signs the account in through the live view, or passes the platform's checkpoint there.
SIGNIN, CHECKPOINT, TWO_STEP = "signin", "checkpoint", "two_step"
BARRIERS = frozenset({SIGNIN, CHECKPOINT, TWO_STEP})


async def captcha(run: Run, page_url: str, shot: str | None) -> None:
    event = CaptchaDetected(
        **run.ids,
        page_url=page_url,
        resume_state=_back_to(run.state),
        screenshot_uri=shot,
        live_view_url=run.task.live_view_url,
    )
    await run.emit(event, TaskState.NEED_CAPTCHA, CAPTCHA)


async def human(
    run: Run,
    reason: str,
    page_url: str,
    questions: tuple[Question, ...],
    shot: str | None,
    waiting: str = HUMAN,
    sign_in: SignInBarrier | None = None,
) -> None:
    needed = human_needed(run, reason, page_url, questions, shot, sign_in)
    await run.emit(needed, TaskState.NEED_HUMAN, waiting)


def human_needed(
    run: Run,
    reason: str,
    page_url: str,
    questions: tuple[Question, ...],
    shot: str | None,
    sign_in: SignInBarrier | None = None,
) -> HumanNeeded:
    return HumanNeeded(
        sign_in=sign_in,
        **run.ids,
        reason=reason,
        page_url=page_url,
        questions=tuple(q.label for q in questions),
        fields=questions,
        resume_state=_back_to(run.state),
        screenshot_uri=shot,
        live_view_url=run.task.live_view_url,
        **spent(run),
    )


async def email(run: Run, kind: str, recipient: str, since: datetime, after_submit: bool) -> None:
    platform = run.task.platform
    event = EmailVerificationNeeded(
        **run.ids,
        kind="link" if kind == "email_link" else "code",
        platform=platform,
        sender_domains=SENDER_DOMAINS.get(platform, ()),
        since=since,
        resume_state=TaskState.SUBMITTING if after_submit else _back_to(run.state),
        recipient=recipient,
    )
    await run.emit(event, TaskState.NEED_EMAIL_VERIFY, EMAIL_AFTER_SUBMIT if after_submit else EMAIL)


async def review(
    run: Run,
    page_url: str,
    fields: tuple[SentField, ...],
    open_questions: tuple[Question, ...],
    files: tuple[str, ...],
    shot: str | None,
    dry_run: bool,
) -> None:
    event = TaskReviewNeeded(
        **run.ids,
        page_url=page_url,
        fields=fields,
        unresolved=open_questions,
        files=files,
        screenshot_uri=shot,
        dry_run=dry_run,
        resume_state=TaskState.SUBMITTING,
    )
    await run.emit(event, TaskState.NEED_REVIEW, REVIEW)


def spent(run: Run) -> dict[str, Any]:
    """The model's tokens the task spent so far, as the events carry them."""
    usage = run.meter.total if run.meter is not None else run.task.llm_usage
    if usage is None or not usage.calls:
        return {}
    return {"tokens": usage.all_tokens, "usage": usage}


def _back_to(state: TaskState) -> TaskState:
    """Where the task continues once help came: the mode it was filling in, or the submit."""
    if state in (TaskState.EXECUTING_RPA, TaskState.EXECUTING_AGENT, TaskState.SUBMITTING):
        return state
    return TaskState.EXECUTING_AGENT
