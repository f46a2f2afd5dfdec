"""Events of the human in the loop: CAPTCHAs, unknown questions, the operator's answers."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.applications import TokenUsage
from contracts.envelope import Event
from contracts.states import TaskState


class Question(BaseModel):
    """A required field nobody could answer, as a person needs to see it to answer it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    widget: str = "text"  # text, textarea, select, radio, checkbox, combobox, date, file, ...
    required: bool = True
    options: tuple[str, ...] = ()
    selector: str | None = None
    reason: str = ""  # why the profile could not answer it


SignInBarrier = Literal["wall", "checkpoint", "two_step"]


class CaptchaDetected(Event):
    TYPE = "captcha.detected"
    type: Literal["captcha.detected"] = "captcha.detected"
    page_url: str
    resume_state: TaskState  # where the executor continues once a person solved it
    screenshot_uri: str | None = None
    live_view_url: str | None = None


class HumanNeeded(Event):
    TYPE = "human.needed"
    type: Literal["human.needed"] = "human.needed"
    reason: str
    page_url: str | None = None
    questions: tuple[str, ...] = ()  # labels of required fields nobody could answer
    fields: tuple[Question, ...] = ()  # the same questions with their widgets and options
    resume_state: TaskState
    screenshot_uri: str | None = None
    live_view_url: str | None = None
    # The model's tokens the task spent so far (a budget stop or an unavailable model lands here).
    tokens: int = 0
    usage: TokenUsage | None = None
    # An account barrier the user passes in the live browser (their own page shows it): a sign-in
    # wall, a checkpoint or two-step verification; None for every other request.
    sign_in: SignInBarrier | None = None


class HumanResolved(Event):
    TYPE = "human.resolved"
    type: Literal["human.resolved"] = "human.resolved"
    resolution: str  # captcha_solved, answered, submitted_by_operator, ...
    operator_id: str
    resume_state: TaskState
    answers: dict[str, str] = Field(default_factory=dict)  # question label -> the operator's value


class HumanTimeout(Event):
    TYPE = "human.timeout"
    type: Literal["human.timeout"] = "human.timeout"
    waited_s: float
