"""Submission events: the click, and the proof."""

from typing import Literal

from pydantic import Field

from contracts.envelope import Event


class ApplicationSubmitted(Event):
    TYPE = "application.submitted"
    type: Literal["application.submitted"] = "application.submitted"
    attempt_id: str  # recorded before the click; one per (user, job)
    page_url: str
    receipt_uri: str  # what was sent, with provenance
    confirmation_text: str | None = None


class ApplicationCompleted(Event):
    TYPE = "application.completed"
    type: Literal["application.completed"] = "application.completed"
    confirmation_id: str | None = None
    evidence: tuple[str, ...] = Field(default=())  # confirmation page, email, "already applied" marker


class ApplicationFailed(Event):
    TYPE = "application.failed"
    type: Literal["application.failed"] = "application.failed"
    reason: str
    message: str = ""
