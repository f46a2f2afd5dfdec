"""Task events: accepted, rejected, cancelled, progressing, retrying, failed."""

from typing import Literal

from pydantic import Field, HttpUrl

from contracts.envelope import Event
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
