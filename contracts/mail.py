"""Email verification events (executor asks, verifier answers)."""

from datetime import datetime
from typing import Literal

from contracts.envelope import Event
from contracts.states import TaskState


class EmailVerificationNeeded(Event):
    TYPE = "email.verification_needed"
    type: Literal["email.verification_needed"] = "email.verification_needed"
    kind: Literal["code", "link"]
    platform: str
    company: str | None = None
    sender_domains: tuple[str, ...] = ()  # only mail from these domains is trusted
    since: datetime  # mail older than this (less clock skew) belongs to something else
    resume_state: TaskState
    # The address typed into the form, when it is not the mailbox's own (a plus alias, a second address).
    recipient: str | None = None
    job_title: str | None = None


class EmailVerified(Event):
    TYPE = "email.verified"
    type: Literal["email.verified"] = "email.verified"
    kind: Literal["code", "link"]
    value: str  # the code or the link; never logged
    resume_state: TaskState


class EmailNotFound(Event):
    TYPE = "email.not_found"
    type: Literal["email.not_found"] = "email.not_found"
    waited_s: float
    resume_state: TaskState
    # timeout, no_mailbox, mailbox_revoked or mailbox_unreachable: what the person should look at.
    reason: str = "timeout"
