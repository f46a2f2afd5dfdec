"""Task events: accepted, rejected, cancelled, progressing, retrying, failed."""

from typing import Literal

from pydantic import Field, HttpUrl

from contracts.applications import SentField
from contracts.envelope import Event
from contracts.human import Question
from contracts.states import FailureReason, Priority, TaskState


class TaskQueued(Event):
    TYPE = "task.queued"
    type: Literal["task.queued"] = "task.queued"
    job_url: HttpUrl
    platform: str  # greenhouse, lever, ashby, workday, linkedin, or "generic"
    job_key: str  # canonical job: platform + requisition id, else the normalised URL
    resume_id: str
    priority: Priority = Priority.NORMAL
    llm_allowed: bool = False  # the user's consent to LLM drafts for free-text questions
    preferences: dict[str, str | int | float | bool] = Field(default_factory=dict)


class TaskRejected(Event):
    TYPE = "task.rejected"
    type: Literal["task.rejected"] = "task.rejected"
    reason: str


class TaskCancelled(Event):
    TYPE = "task.cancelled"
    type: Literal["task.cancelled"] = "task.cancelled"
    reason: str = "cancelled by the user"


class TaskProgress(Event):
    """A move into one of the publishing service's own states, or a step inside one."""

    TYPE = "task.progress"
    type: Literal["task.progress"] = "task.progress"
    state: TaskState
    step: str | None = None
    step_number: int | None = None
    total_steps: int | None = None
    detail: str | None = None


class TaskRetrying(Event):
    TYPE = "task.retrying"
    type: Literal["task.retrying"] = "task.retrying"
    stage: Literal["provisioning", "navigation"]
    attempt: int = Field(ge=1)
    delay_s: float = Field(ge=0)
    reason: str


class TaskFailed(Event):
    TYPE = "task.failed"
    type: Literal["task.failed"] = "task.failed"
    reason: FailureReason
    message: str = ""


class TaskReviewNeeded(Event):
    """The form is filled and waits for the user: what would be sent, and what is still open.

    The browser stays open on the filled form. A dry run stops here for good unless the user
    approves it; otherwise the user approves or corrects it (task.approved) and the executor submits.
    """

    TYPE = "task.review_needed"
    type: Literal["task.review_needed"] = "task.review_needed"
    page_url: str
    fields: tuple[SentField, ...] = ()  # every field the executor would send, with its provenance
    unresolved: tuple[Question, ...] = ()  # required fields nobody answered (the user must)
    files: tuple[str, ...] = ()  # object-store keys of the files it would upload
    screenshot_uri: str | None = None
    dry_run: bool = False
    resume_state: TaskState  # where the executor continues once approved (SUBMITTING)


class TaskApproved(Event):
    """The user approved a reviewed form, with corrections (label -> value) to type in first."""

    TYPE = "task.approved"
    type: Literal["task.approved"] = "task.approved"
    corrections: dict[str, str] = Field(default_factory=dict)
    resume_state: TaskState = TaskState.SUBMITTING
